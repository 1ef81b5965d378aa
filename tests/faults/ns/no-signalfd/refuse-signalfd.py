# refuse-signalfd.py CMD ARGS...: run CMD with signalfd(2) and signalfd4(2)
# failing with ENOSYS (a seccomp filter, inherited by everything CMD
# starts), as a container runtime's seccomp profile could refuse them.
# x86_64 only: the filter checks the architecture and the syscall numbers.
import ctypes, os, struct, sys

AUDIT_ARCH_X86_64 = 0xC000003E
NR_SIGNALFD, NR_SIGNALFD4 = 282, 289
RET_ALLOW, RET_ERRNO, ENOSYS = 0x7FFF0000, 0x00050000, 38
LD_ABS_W, JEQ_K, RET_K = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K


def insn(code, k, jt=0, jf=0):
    return struct.pack("HBBI", code, jt, jf, k)


prog = b"".join([
    insn(LD_ABS_W, 4),                      # seccomp_data.arch
    insn(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
    insn(RET_K, RET_ALLOW),
    insn(LD_ABS_W, 0),                      # seccomp_data.nr
    insn(JEQ_K, NR_SIGNALFD4, 1, 0),
    insn(JEQ_K, NR_SIGNALFD, 0, 1),
    insn(RET_K, RET_ERRNO | ENOSYS),
    insn(RET_K, RET_ALLOW),
])
buf = ctypes.create_string_buffer(prog)


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


fprog = SockFprog(len(prog) // 8, ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
        libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
    sys.exit("refuse-signalfd: prctl: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])
