/* l_mountopts.c: what mount.mount does with an options string before
 * libmount gets it (l_mount.c): an option that would have no effect there
 * (a filesystem's option on a bind mount, a helper, an X-mount.* this
 * libmount does not act on, the rest after an unclosed quote) fails the
 * call, naming it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>

#include <libmount/libmount.h>
#include <lauxlib.h>

#include "l_mount.h"
#include "lx.h"

static int word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && strncmp(w, s, n) == 0;
}

/* The libmount map that takes the option named w (n bytes; valued: it
 * has "=value") as its parser decides (mnt_split_optstr): MNT_LINUX_MAP
 * or MNT_USERSPACE_MAP, *id its flag, *mask the entry's (MNT_INVERT: the
 * option clears the flag); -1 for a filesystem's option (in neither, or
 * "ro=1": a value to a map's word that takes none). */
static int option_map(const char *w, size_t n, int valued, unsigned long *id, int *mask)
{
	static const int maps[] = { MNT_LINUX_MAP, MNT_USERSPACE_MAP };

	for (int i = 0; i < 2; i++)
		for (const struct libmnt_optmap *m = mnt_get_builtin_optmap(maps[i]); m->name; m++) {
			size_t len = strlen(m->name);
			if (m->mask & MNT_PREFIX) {
				if (n < len || strncmp(w, m->name, len) != 0)
					continue;
			} else if (strncmp(m->name, w, n) != 0 || !strchr("=[", m->name[n])) {
				continue;
			} else if (valued && !strchr(m->name, '=')) {
				return -1;
			}
			*id = (unsigned long)m->id;
			*mask = m->mask;
			return maps[i];
		}
	return -1;
}

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
/* The flags a bind mount takes: the mount's own, which libmount 2.38 sets
 * by a remount after the bind (its MNT_BIND_SETTABLE), and the bind's
 * and propagation's. The rest (a filesystem's: sync, dirsync, mand,
 * iversion, lazytime; and strictatime, which libmount does not carry to
 * the remount) the kernel or libmount drops there. An option clearing a
 * flag (async, nolazytime) asks for what a bind mount does anyway. */
#define BIND_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
                    MS_RDONLY | MS_NOSYMFOLLOW | MS_BIND | MS_REC | MS_REMOUNT | MS_SILENT | \
                    MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* An X-mount.* option libmount 2.38 does not act on (2.39's mode=,
 * owner=, idmap=, ...): mount(8) of this version ignores it. */
static int newer_xmount(const char *w, size_t n)
{
	return n > 8 && strncasecmp(w, "x-mount.", 8) == 0 && !word_is(w, n, "X-mount.mkdir")
	       && !word_is(w, n, "x-mount.mkdir") && !word_is(w, n, "X-mount.subdir");
}

/* Why the option named w (n bytes; valued: it has "=value") would have
 * no effect here, as the end of "option 'w=v' has no effect...", or NULL.
 * kind: NULL, or what the mount is when the kernel takes no filesystem
 * options for it (see lx_mount_vet_options). */
static const char *inert(const char *w, size_t n, int valued, const char *kind, int *err)
{
	unsigned long id;
	int mask;

	*err = ENOTSUP;
	if (word_is(w, n, "helper"))
		return ": luainit runs no /sbin/mount.<type> helper";
	if (word_is(w, n, "uhelper"))
		return ": luainit runs no /sbin/umount.<type> helper";
	if (word_is(w, n, "encryption"))
		return ": libmount has no loop encryption any more (use dm-crypt)";
	if (n > 7 && strncmp(w, "verity.", 7) == 0)
		return ": no dm-verity here (libmount is built without libcryptsetup)";
	/* libmount 2.38 mounts it in a namespace of its own, binds the
	 * subdirectory there and setns()es back unchecked (mnt_tmptgt_*):
	 * private mounts never saw the bind, and PID 1 could stay there */
	if (word_is(w, n, "X-mount.subdir"))
		return ": libmount 2.38 binds the subdirectory inside a mount namespace of its "
		       "own (PID 1's private mounts never see it); bind it in a second entry";
	*err = EINVAL;
	if (newer_xmount(w, n))
		return ": libmount 2.38 acts on X-mount.mkdir and X-mount.subdir only";
	if (!kind)
		return NULL;
	switch (option_map(w, n, valued, &id, &mask)) {
	case MNT_LINUX_MAP:     return !(mask & MNT_INVERT) && (id & ~BIND_FLAGS) ? kind : NULL;
	case MNT_USERSPACE_MAP: return NULL;
	default:                return kind;
	}
}

/* See l_mount.h; inert says why an option would have no effect. */
int lx_mount_vet_options(lua_State *L, const char *target, const char *source,
                         const char *fstype, int want_mkdir, int skipped, const char **out)
{
	const char *options = *out;
	size_t size = (options ? strlen(options) : 0) + sizeof ",X-mount.mkdir";
	char *buf = lua_newuserdatauv(L, size, 0), *p = buf;
	char *str = (char *)options, *w, *v;
	const char *kind = NULL, *why;
	unsigned long fl = 0;
	size_t n, vn;
	int err;

	if (options && mnt_optstr_get_flags(options, &fl, mnt_get_builtin_optmap(MNT_LINUX_MAP)) == 0) {
		/* the kernel reads the flags of the mount for these, not the
		 * filesystem's flags or options */
		if (fl & MS_BIND)
			kind = " on a bind mount (only the mount's own flags: ro, nosuid, nodev, "
			       "noexec, noatime, nodiratime, relatime, nosymfollow)";
		else if ((fl & MS_PROPAGATION) && !(fl & ~(MS_PROPAGATION | MS_REC | MS_SILENT))
		         && (!source || strcmp(source, "none") == 0)
		         && (!fstype || !*fstype || strcmp(fstype, "none") == 0 || strcmp(fstype, "auto") == 0))
			kind = " on a propagation change";
	}
	while (str && mnt_optstr_next_option(&str, &w, &n, &v, &vn) == 0) {
		size_t len = v ? (size_t)(v + vn - w) : n;
		if (skipped && newer_xmount(w, n)) {
			if (!lua_istable(L, skipped)) {
				lua_newtable(L);
				lua_replace(L, skipped);
			}
			lua_pushlstring(L, w, len);
			lua_rawseti(L, skipped, (lua_Integer)lua_rawlen(L, skipped) + 1);
			continue;
		}
		if ((why = inert(w, n, v != NULL, kind, &err)))
			return lx_failmsg(L, err, "mount %s: option '%.*s' has no effect%s", target,
			                  (int)len, w, why);
		if (word_is(w, n, "nofail"))
			continue;
		if (p > buf)
			*p++ = ',';
		memcpy(p, w, len);
		p += len;
	}
	/* libmount's parser stops at an unclosed quote, and what follows
	 * was dropped */
	if (str && str[strspn(str, ",")])
		return lx_failmsg(L, EINVAL, "mount %s: options '%s': unclosed quote in '%s'",
		                  target, options, str);
	if (want_mkdir)
		p += sprintf(p, "%sX-mount.mkdir", p > buf ? "," : "");
	*p = '\0';
	*out = buf;
	return 0;
}
