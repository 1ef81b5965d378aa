# A DHCPv4 server whose answers are odd, for the client test: dnsmasq
# gives no lease under 2 minutes and no T1 of 0. It answers DISCOVER with
# an OFFER and REQUEST with an ACK of one address, broadcast, on the
# interface argv[1], as server argv[2] offering argv[3]. What the answers
# hold is read, at each request, from the JSON file argv[4]: lease, t1,
# t2 (seconds), domain (option 15, any bytes), dns (option 6's addresses;
# the server's own without it), routers (option 3's addresses; the
# server's own without it), yiaddr (the address offered instead of argv[3]), nak (NAK
# every REQUEST), message (the NAK's option 56). Each answer is logged on
# stdout.
import json, socket, struct, sys

IFACE, SERVER, OFFER, CONF = sys.argv[1:5]
ip = socket.inet_aton
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFACE.encode())
s.bind(("", 67))


def opt(code, data):
    return bytes([code, len(data)]) + data


def options(kind, conf):
    o = opt(53, bytes([kind])) + opt(54, ip(SERVER))
    if kind == 6:
        return o + opt(56, conf.get("message", "").encode())
    for code, key in ((51, "lease"), (58, "t1"), (59, "t2")):
        if key in conf:
            o += opt(code, struct.pack(">I", conf[key]))
    o += opt(1, ip("255.255.255.0")) + opt(3, b"".join(ip(a) for a in conf.get("routers", [SERVER])))
    o += opt(6, b"".join(ip(a) for a in conf.get("dns", [SERVER])))
    if "domain" in conf:
        o += opt(15, conf["domain"].encode())
    return o


while True:
    data = s.recv(2048)
    if len(data) < 240 or data[0] != 1:
        continue
    kind, i = None, 240
    while i + 1 < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if data[i] == 53:
            kind = data[i + 2]
        i += 2 + data[i + 1]
    with open(CONF) as f:
        conf = json.load(f)
    if kind == 1:
        reply = 2
    elif kind == 3:
        reply = 6 if conf.get("nak") else 5
    else:
        continue
    yiaddr = ip(conf.get("yiaddr", OFFER)) if reply != 6 else bytes(4)
    pkt = (bytes([2, 1, 6, 0]) + data[4:8] + bytes(2) + b"\x80\x00" + bytes(4) + yiaddr
           + ip(SERVER) + bytes(4) + data[28:44] + bytes(192) + b"\x63\x82\x53\x63"
           + options(reply, conf) + b"\xff")
    s.sendto(pkt.ljust(300, b"\0"), ("255.255.255.255", 68))
    print({2: "OFFER", 5: "ACK", 6: "NAK"}[reply], json.dumps(conf), flush=True)
