/* dhcp.c: DHCPv4 packet encoding and decoding (RFC 2131, options from
 * RFC 2132). No Lua, no I/O, no allocation: the parser reads untrusted
 * bytes from the network inside PID 1, so every length is checked against
 * the buffer before it is used, and anything odd is a reason, not a crash. */
#include <string.h>

#include "dhcp.h"

#define MAGIC 0x63825363u
#define OFF_SNAME 44
#define OFF_FILE 108
#define OFF_MAGIC 236
#define OFF_OPTS 240

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Option writer: fails (returns -1) instead of writing past cap. */
struct wr {
	uint8_t *buf;
	size_t len, cap;
	int err;
};

static void opt(struct wr *w, uint8_t code, const void *data, size_t n)
{
	if (w->err || n > 255 || w->len + 2 + n + 1 > w->cap) { /* +1: the end option */
		w->err = 1;
		return;
	}
	w->buf[w->len++] = code;
	w->buf[w->len++] = (uint8_t)n;
	memcpy(w->buf + w->len, data, n);
	w->len += n;
}

/* addresses are already in network order: copy their bytes as they are */
static void opt_addr(struct wr *w, uint8_t code, uint32_t a) { opt(w, code, &a, 4); }

static void opt32(struct wr *w, uint8_t code, uint32_t v)
{
	uint8_t b[4];
	put32(b, v);
	opt(w, code, b, 4);
}

static void opt16(struct wr *w, uint8_t code, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	opt(w, code, b, 2);
}

int dhcp_build(const struct dhcp_msg *m, uint8_t *buf, size_t cap)
{
	struct wr w = { buf, OFF_OPTS, cap, 0 };
	uint8_t t;

	if (cap < 300 || m->type < DHCP_DISCOVER || m->type > DHCP_INFORM || m->hlen > 16)
		return -1;
	memset(buf, 0, cap < DHCP_MAX_LEN ? cap : DHCP_MAX_LEN);
	buf[0] = m->op ? m->op : 1;
	buf[1] = 1;                 /* Ethernet */
	buf[2] = m->hlen;
	put32(buf + 4, m->xid);
	buf[8] = (uint8_t)(m->secs >> 8); buf[9] = (uint8_t)m->secs;
	buf[10] = (uint8_t)(m->flags >> 8); buf[11] = (uint8_t)m->flags;
	memcpy(buf + 12, &m->ciaddr, 4);
	memcpy(buf + 16, &m->yiaddr, 4);
	memcpy(buf + 20, &m->siaddr, 4);
	memcpy(buf + 24, &m->giaddr, 4);
	memcpy(buf + 28, m->chaddr, m->hlen);
	put32(buf + OFF_MAGIC, MAGIC);

	t = m->type;
	opt(&w, 53, &t, 1);
	if (m->client_id_len)
		opt(&w, 61, m->client_id, m->client_id_len);
	if (m->have & DHCP_HAVE_REQUESTED) opt_addr(&w, 50, m->requested_ip);
	if (m->have & DHCP_HAVE_SERVER_ID) opt_addr(&w, 54, m->server_id);
	if (m->have & DHCP_HAVE_MASK) opt_addr(&w, 1, m->mask);
	if (m->have & DHCP_HAVE_BROADCAST) opt_addr(&w, 28, m->broadcast);
	if (m->have & DHCP_HAVE_LEASE) opt32(&w, 51, m->lease);
	if (m->have & DHCP_HAVE_T1) opt32(&w, 58, m->t1);
	if (m->have & DHCP_HAVE_T2) opt32(&w, 59, m->t2);
	if (m->have & DHCP_HAVE_MTU) opt16(&w, 26, m->mtu);
	if (m->have & DHCP_HAVE_MAXSIZE) opt16(&w, 57, m->maxsize);
	if (m->nrouters && m->nrouters <= DHCP_MAX_ROUTERS)
		opt(&w, 3, m->routers, 4u * m->nrouters);
	if (m->ndns && m->ndns <= DHCP_MAX_DNS)
		opt(&w, 6, m->dns, 4u * m->ndns);
	if (m->hostname[0])
		opt(&w, 12, m->hostname, strnlen(m->hostname, DHCP_MAX_NAME - 1));
	if (m->domain[0])
		opt(&w, 15, m->domain, strnlen(m->domain, DHCP_MAX_DOMAIN - 1));
	if (m->message[0])
		opt(&w, 56, m->message, strnlen(m->message, DHCP_MAX_MESSAGE - 1));
	if (m->nparams && m->nparams <= DHCP_MAX_PARAMS)
		opt(&w, 55, m->params, m->nparams);
	if (w.err)
		return -1;
	buf[w.len++] = 255;
	return w.len < 300 ? 300 : (int)w.len;   /* BOOTP minimum size */
}

/* Copy a text option into a fixed buffer; NULs inside make it invalid. */
static int text(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	if (n >= cap || memchr(p, 0, n))
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static int addrs(uint32_t *dst, uint8_t *count, size_t max, const uint8_t *p, size_t n)
{
	if (n == 0 || n % 4)
		return -1;
	if (n / 4 > max)
		n = max * 4;        /* keep the first ones: a long list is legal */
	memcpy(dst, p, n);
	*count = (uint8_t)(n / 4);
	return 0;
}

/* Walk one options area. *overload collects option 52 from the main area. */
static int options(const uint8_t *p, size_t len, struct dhcp_msg *m, int *overload,
                   const char **why)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i++], n;
		const uint8_t *d;

		if (code == 0)
			continue;
		if (code == 255)
			return 0;
		if (i >= len) {
			*why = "truncated option";
			return -1;
		}
		n = p[i++];
		if (i + n > len) {
			*why = "truncated option";
			return -1;
		}
		d = p + i;
		i += n;
		*why = "bad option length";
		switch (code) {
		case 53:
			if (n != 1) return -1;
			m->type = d[0];
			break;
		case 52:
			if (n != 1) return -1;
			if (overload) *overload = d[0];
			break;
		case 1: case 28: case 50: case 54: {
			uint32_t a;
			if (n != 4) return -1;
			memcpy(&a, d, 4);
			if (code == 1) { m->mask = a; m->have |= DHCP_HAVE_MASK; }
			else if (code == 28) { m->broadcast = a; m->have |= DHCP_HAVE_BROADCAST; }
			else if (code == 50) { m->requested_ip = a; m->have |= DHCP_HAVE_REQUESTED; }
			else { m->server_id = a; m->have |= DHCP_HAVE_SERVER_ID; }
			break;
		}
		case 51: case 58: case 59:
			if (n != 4) return -1;
			if (code == 51) { m->lease = get32(d); m->have |= DHCP_HAVE_LEASE; }
			else if (code == 58) { m->t1 = get32(d); m->have |= DHCP_HAVE_T1; }
			else { m->t2 = get32(d); m->have |= DHCP_HAVE_T2; }
			break;
		case 26: case 57:
			if (n != 2) return -1;
			if (code == 26) { m->mtu = (uint16_t)(d[0] << 8 | d[1]); m->have |= DHCP_HAVE_MTU; }
			else { m->maxsize = (uint16_t)(d[0] << 8 | d[1]); m->have |= DHCP_HAVE_MAXSIZE; }
			break;
		case 3:
			if (addrs(m->routers, &m->nrouters, DHCP_MAX_ROUTERS, d, n)) return -1;
			break;
		case 6:
			if (addrs(m->dns, &m->ndns, DHCP_MAX_DNS, d, n)) return -1;
			break;
		case 12: case 15: case 56:
			*why = "oversized or invalid text option";
			if (code == 12 && text(m->hostname, sizeof m->hostname, d, n)) return -1;
			if (code == 15 && text(m->domain, sizeof m->domain, d, n)) return -1;
			if (code == 56 && text(m->message, sizeof m->message, d, n)) return -1;
			break;
		case 55:
			*why = "oversized option";
			if (n > DHCP_MAX_PARAMS) return -1;
			memcpy(m->params, d, n);
			m->nparams = n;
			break;
		case 61:
			*why = "oversized option";
			if (n > DHCP_MAX_CLIENTID) return -1;
			memcpy(m->client_id, d, n);
			m->client_id_len = n;
			break;
		default:
			break;          /* options we do not use are skipped */
		}
	}
	return 0;                   /* no end option: tolerated (RFC 2131 4.1 is lax) */
}

int dhcp_parse(const uint8_t *buf, size_t len, uint32_t want_xid, int flags,
               struct dhcp_msg *m, const char **why)
{
	int overload = 0;

	memset(m, 0, sizeof *m);
	*why = NULL;
	if (len < DHCP_MIN_LEN) {
		*why = "short packet";
		return -1;
	}
	if (len > DHCP_MAX_LEN) {
		*why = "oversized packet";
		return -1;
	}
	if (get32(buf + OFF_MAGIC) != MAGIC) {
		*why = "bad magic cookie";
		return -1;
	}
	m->op = buf[0];
	if (m->op != 1 && m->op != 2) {
		*why = "bad op";
		return -1;
	}
	if ((flags & DHCP_REPLY_ONLY) && m->op != 2) {
		*why = "not a BOOTREPLY";
		return -1;
	}
	if (buf[1] != 1 || buf[2] > 16) {
		*why = "bad hardware type or length";
		return -1;
	}
	m->hlen = buf[2];
	m->xid = get32(buf + 4);
	if (!(flags & DHCP_ANY_XID) && m->xid != want_xid) {
		*why = "wrong xid";
		return -1;
	}
	m->secs = (uint16_t)(buf[8] << 8 | buf[9]);
	m->flags = (uint16_t)(buf[10] << 8 | buf[11]);
	memcpy(&m->ciaddr, buf + 12, 4);
	memcpy(&m->yiaddr, buf + 16, 4);
	memcpy(&m->siaddr, buf + 20, 4);
	memcpy(&m->giaddr, buf + 24, 4);
	memcpy(m->chaddr, buf + 28, m->hlen);
	if (options(buf + OFF_OPTS, len - OFF_OPTS, m, &overload, why))
		return -1;
	/* option 52: more options in the file (1), sname (2) or both (3) */
	if ((overload & 1) && options(buf + OFF_FILE, 128, m, NULL, why))
		return -1;
	if ((overload & 2) && options(buf + OFF_SNAME, 64, m, NULL, why))
		return -1;
	if (m->type < DHCP_DISCOVER || m->type > DHCP_INFORM) {
		*why = m->type ? "bad message type" : "no message type";
		return -1;
	}
	return 0;
}
