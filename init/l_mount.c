/* l_mount.c: luainit.mount, filesystems through libmount and libblkid:
 * fstab parsing (libmount's parser; bad lines reported by number), the
 * mount table, mounting one fstab entry, unmounting one or all. PID 1 is
 * the only mounter at boot: no /etc/mtab or utab, no /sbin/mount.<type>
 * helpers. Policy (noauto, nofail, order) lives in lua/stage.lua. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid/blkid.h>
#include <libmount/libmount.h>
#include <lauxlib.h>

#include "l_mount.h"
#include "lx.h"

#define GUARD_MT   "luainit.mount.guard"
#define PARSE_ERRS 32
#define MOUNTINFO  "/proc/self/mountinfo"
#define FSTAB_WANT "(expected: source target fstype options [freq [passno]])"
#define FSTAB_HINT "malformed entry " FSTAB_WANT
#define FSTAB_MORE "malformed entry, more than 6 fields " FSTAB_WANT

/* libmount objects held while Lua may raise (a memory error while building
 * a result table): the guard's __gc frees them, so nothing leaks. */
struct guard {
	struct libmnt_table *tb;
	struct libmnt_iter *itr;
	struct libmnt_context *cxt;
	struct libmnt_cache *cache;
};

/* Push a guard; it sits below the results, which are returned from the top. */
static struct guard *new_guard(lua_State *L)
{
	struct guard *g = lua_newuserdatauv(L, sizeof *g, 0);

	memset(g, 0, sizeof *g);
	luaL_setmetatable(L, GUARD_MT);
	return g;
}

static void done(struct guard *g)
{
	mnt_free_iter(g->itr);
	mnt_unref_table(g->tb);
	mnt_free_context(g->cxt);
	mnt_unref_cache(g->cache);
	memset(g, 0, sizeof *g);
}

static int guard_gc(lua_State *L)
{
	done(luaL_checkudata(L, 1, GUARD_MT));
	return 0;
}

static int has_option(const char *optstr, const char *name)
{
	return optstr && mnt_optstr_get_option(optstr, name, NULL, NULL) == 0;
}

/* ---- fstab ---- */

struct parse_errs {
	int n;
	struct { char file[200]; int line; } e[PARSE_ERRS];
};

/* libmount calls this for each line it cannot parse; 1 = skip the line
 * and go on, so one bad line never hides the good ones. */
static int on_parse_error(struct libmnt_table *tb, const char *file, int line)
{
	struct parse_errs *pe = mnt_table_get_userdata(tb);

	if (pe->n < PARSE_ERRS) {
		snprintf(pe->e[pe->n].file, sizeof pe->e[0].file, "%s", file ? file : "?");
		pe->e[pe->n].line = line;
	}
	pe->n++;
	return 1;
}

/* Does fstab line s hold more than fstab(5)'s 6 fields? libmount reads 6
 * and ignores the rest: "... 0 2 nofail" was mounted without its nofail,
 * without a word. A comment after the 6th ('#' first), which mount(8)
 * ignores as well, is no field. */
static int more_fields(const char *s)
{
	for (int n = 0;; n++) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '\n' || (*s == '\r' && (s[1] == '\n' || s[1] == '\0')))
			return 0;
		if (n == 6)
			return *s != '#';
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
	}
}

/* The line of each of the n entries, found by reading path again the way
 * libmount's parser walks it (a line that is empty or '#' after blanks is
 * skipped, and so is each line it rejected): libmount keeps no line
 * numbers, and a bad value the parser let through (a relative mount
 * point) must still be reported as path:LINE. An entry whose line has
 * more than 6 fields (more_fields) gets -LINE; the number of those is
 * returned. All 0 when the walk does not come out at n entries (more bad
 * lines than were recorded, a directory, the file changed in between).
 * No Lua call while the file is open. */
static int entry_lines(const char *path, const struct parse_errs *pe, int *lines, int n)
{
	FILE *f;
	char *buf = NULL;
	size_t sz = 0;
	int line = 0, k = 0, e = 0, more = 0;

	memset(lines, 0, (size_t)n * sizeof *lines);
	if (pe->n > PARSE_ERRS || !(f = fopen(path, "re")))
		return 0;
	while (getline(&buf, &sz, f) >= 0) {
		const char *s = buf;
		line++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '\n' || *s == '#' || (*s == '\r' && (s[1] == '\n' || s[1] == '\0')))
			continue;
		if (e < pe->n && pe->e[e].line == line) {
			e++;
			continue;
		}
		if (k == n) {
			k++;
			break;
		}
		if (more_fields(s)) {
			lines[k++] = -line;
			more++;
		} else {
			lines[k++] = line;
		}
	}
	free(buf);
	fclose(f);
	if (k != n || e != pe->n) {
		memset(lines, 0, (size_t)n * sizeof *lines);
		return 0;
	}
	return more;
}

static void push_fstab_entry(lua_State *L, struct libmnt_fs *fs, int line)
{
	const char *opts = mnt_fs_get_options(fs);

	lua_createtable(L, 0, 13);
	lx_setstr(L, "source", mnt_fs_get_source(fs));
	lx_setstr(L, "target", mnt_fs_get_target(fs));
	lx_setstr(L, "fstype", mnt_fs_get_fstype(fs));
	lx_setstr(L, "options", opts && *opts ? opts : "defaults");
	lx_setstr(L, "vfs_options", mnt_fs_get_vfs_options(fs));
	lx_setstr(L, "fs_options", mnt_fs_get_fs_options(fs));
	lx_setstr(L, "user_options", mnt_fs_get_user_options(fs));
	lx_setint(L, "freq", mnt_fs_get_freq(fs));
	lx_setint(L, "passno", mnt_fs_get_passno(fs));
	lx_setbool(L, "noauto", has_option(opts, "noauto"));
	lx_setbool(L, "nofail", has_option(opts, "nofail"));
	if (line > 0)
		lx_setint(L, "line", line);
}

/** parse_fstab : (path?, opts?) -> {entry, ...} | (nil, string, integer)
 * Reads an fstab file (default /etc/fstab) with libmount's parser;
 * comments and blank lines are skipped. An entry is {source, target,
 * fstype, options, vfs_options?, fs_options?, user_options?, freq, passno,
 * noauto, nofail, line?}; source keeps "UUID=..." tags as written; line is
 * the entry's line in a single file (see entry_lines). A malformed
 * line, in a single file one of more than 6 fields too, fails the call
 * with "path:LINE: malformed entry (...)", EINVAL (the first by line);
 * with opts.lenient the result is entries, {"path:LINE: ...", ...} in
 * line order. An unknown key of opts raises. */
static int l_parse_fstab(lua_State *L)
{
	static const char *const keys[] = { "lenient", NULL };
	const char *path = lx_optstr(L, 1, "/etc/fstab");
	struct guard *g;
	struct parse_errs pe;
	struct libmnt_fs *fs;
	int *lines, lenient, rc, nents, more, n = 0, i = 0, k = 0;

	lx_checkoptkeys(L, 2, keys);
	lenient = lx_optboolean(L, 2, "lenient", 0);
	g = new_guard(L);
	pe.n = 0;
	g->tb = mnt_new_table();
	g->itr = mnt_new_iter(MNT_ITER_FORWARD);
	if (!g->tb || !g->itr) {
		done(g);
		return lx_fail(L, ENOMEM, "%s", path);
	}
	mnt_table_set_userdata(g->tb, &pe);
	mnt_table_set_parser_errcb(g->tb, on_parse_error);
	if ((rc = mnt_table_parse_fstab(g->tb, path)) < 0) {
		done(g);
		return lx_fail(L, -rc, "%s", path);
	}
	/* a userdata the collector frees should a push below raise; on the
	 * stack until the errors are made */
	nents = mnt_table_get_nents(g->tb);
	lines = lua_newuserdatauv(L, ((size_t)nents + 1) * sizeof *lines, 0);
	more = entry_lines(path, &pe, lines, nents);
	if ((pe.n || more) && !lenient) {
		while (k < nents && lines[k] >= 0)
			k++;
		done(g);
		if (k < nents && (!pe.n || -lines[k] < pe.e[0].line))
			return lx_failmsg(L, EINVAL, "%s:%d: " FSTAB_MORE, path, -lines[k]);
		return lx_failmsg(L, EINVAL, "%s:%d: " FSTAB_HINT, pe.e[0].file, pe.e[0].line);
	}
	lua_createtable(L, nents - more, 0);
	for (int j = 0; mnt_table_next_fs(g->tb, g->itr, &fs) == 0; j++) {
		if (lines[j] < 0)
			continue;   /* reported below, with libmount's bad lines */
		push_fstab_entry(L, fs, lines[j]);
		lua_rawseti(L, -2, ++n);
	}
	done(g);
	if (!lenient) {
		lua_remove(L, -2); /* the lines */
		return 1;
	}
	/* libmount's bad lines and those of more than 6 fields, by line */
	lua_createtable(L, pe.n + more, 0);
	for (n = 0;;) {
		int pl = i < pe.n && i < PARSE_ERRS ? pe.e[i].line : 0;

		while (k < nents && lines[k] >= 0)
			k++;
		if (k < nents && (!pl || -lines[k] < pl)) {
			lua_pushfstring(L, "%s:%d: " FSTAB_MORE, path, -lines[k]);
			k++;
		} else if (pl) {
			lua_pushfstring(L, "%s:%d: " FSTAB_HINT, pe.e[i].file, pl);
			i++;
		} else {
			break;
		}
		lua_rawseti(L, -2, ++n);
	}
	if (pe.n > PARSE_ERRS) {
		lua_pushfstring(L, "%s: %d more malformed entries", path, pe.n - PARSE_ERRS);
		lua_rawseti(L, -2, n + 1);
	}
	lua_remove(L, -3); /* the lines */
	return 2;
}

/* ---- the mount table ---- */

/* Parse /proc/self/mountinfo into g->tb; 0 or an errno value. */
static int read_mountinfo(struct guard *g, int direction)
{
	int rc;

	g->tb = mnt_new_table();
	g->itr = mnt_new_iter(direction);
	if (!g->tb || !g->itr)
		return ENOMEM;
	if ((rc = mnt_table_parse_file(g->tb, MOUNTINFO)) < 0)
		return -rc;
	return 0;
}

static const char *propagation(struct libmnt_fs *fs, char *buf, size_t size)
{
	unsigned long fl = 0;

	mnt_fs_get_propagation(fs, &fl);
	snprintf(buf, size, "%s%s%s%s",
	         fl & MS_SHARED ? "shared" : "",
	         (fl & MS_SHARED) && (fl & MS_SLAVE) ? "," : "",
	         fl & MS_SLAVE ? "slave" : "",
	         fl & MS_UNBINDABLE ? "unbindable"
	         : !(fl & (MS_SHARED | MS_SLAVE)) ? "private" : "");
	return buf;
}

/** mountinfo : () -> {mount, ...} | (nil, string, integer)
 * /proc/self/mountinfo in mount order: {id, parent, source, target,
 * fstype, options, vfs_options, fs_options, root, propagation
 * ("shared", "slave", "shared,slave", "private" or "unbindable"),
 * optional_fields ("shared:1 master:2")}. The mount table for policy and
 * tests. sys.mount_points is not a second one: it is the C fallback
 * shutdown's own reader of /proc/self/mounts (init/reap.c; mount points
 * only, last first, no libmount, since that fallback runs in plain C when
 * the Lua side has failed), shown to Lua so that tests can check it. */
static int l_mountinfo(lua_State *L)
{
	struct guard *g = new_guard(L);
	struct libmnt_fs *fs;
	char prop[64];
	int err, n = 0;

	if ((err = read_mountinfo(g, MNT_ITER_FORWARD))) {
		done(g);
		return lx_fail(L, err, "%s", MOUNTINFO);
	}
	lua_newtable(L);
	while (mnt_table_next_fs(g->tb, g->itr, &fs) == 0) {
		lua_createtable(L, 0, 12);
		lx_setint(L, "id", mnt_fs_get_id(fs));
		lx_setint(L, "parent", mnt_fs_get_parent_id(fs));
		lx_setstr(L, "source", mnt_fs_get_source(fs));
		lx_setstr(L, "target", mnt_fs_get_target(fs));
		lx_setstr(L, "fstype", mnt_fs_get_fstype(fs));
		lx_setstr(L, "options", mnt_fs_get_options(fs));
		lx_setstr(L, "vfs_options", mnt_fs_get_vfs_options(fs));
		lx_setstr(L, "fs_options", mnt_fs_get_fs_options(fs));
		lx_setstr(L, "root", mnt_fs_get_root(fs));
		lx_setstr(L, "propagation", propagation(fs, prop, sizeof prop));
		lx_setstr(L, "optional_fields", mnt_fs_get_optional_fields(fs));
		lua_rawseti(L, -2, ++n);
	}
	done(g);
	return 1;
}

/** is_mounted : (target) -> boolean | (nil, string, integer)
 * Whether target (symlinks resolved) is a mount point in mountinfo. */
static int l_is_mounted(lua_State *L)
{
	const char *target = lx_checkstring(L, 1);
	char real[PATH_MAX];
	struct guard *g;
	int err, found;

	if (!realpath(target, real)) {
		lua_pushboolean(L, 0);
		return 1;
	}
	g = new_guard(L);
	if ((err = read_mountinfo(g, MNT_ITER_BACKWARD))) {
		done(g);
		return lx_fail(L, err, "%s", MOUNTINFO);
	}
	found = mnt_table_find_target(g->tb, real, MNT_ITER_BACKWARD) != NULL;
	done(g);
	lua_pushboolean(L, found);
	return 1;
}

/* ---- tags ---- */

static blkid_cache tag_cache;   /* kept: blkid re-verifies stale entries */

static int is_tag(const char *spec)
{
	static const char *const tags[] = { "UUID=", "LABEL=", "PARTUUID=", "PARTLABEL=", "ID=" };

	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strncmp(spec, tags[i], strlen(tags[i])) == 0)
			return 1;
	return 0;
}

/* Device for a tag (malloc'd), or NULL. The cache file is /dev/null so
 * nothing is ever written to /run/blkid. */
static char *evaluate_tag(const char *spec)
{
	if (!tag_cache && blkid_get_cache(&tag_cache, "/dev/null") < 0)
		tag_cache = NULL;
	return blkid_evaluate_tag(spec, NULL, &tag_cache);
}

/** resolve : (spec) -> path | (nil, string, integer)
 * Device path for "UUID=...", "LABEL=...", "PARTUUID=...", "PARTLABEL=..."
 * (libblkid: udev links, else a probe of the block devices); any other
 * spec is returned unchanged. */
static int l_resolve(lua_State *L)
{
	const char *spec = lx_checkstring(L, 1);
	char *dev;

	if (!is_tag(spec)) {
		lua_settop(L, 1);
		return 1;
	}
	if (!(dev = evaluate_tag(spec)))
		return lx_failmsg(L, ENOENT, "resolve %s: no such device", spec);
	lua_pushstring(L, dev);
	free(dev);
	return 1;
}

/* ---- mount and umount ---- */

static struct libmnt_context *new_context(struct guard *g)
{
	if (!(g->cxt = mnt_new_context()) || !(g->cache = mnt_new_cache()))
		return NULL;
	mnt_context_disable_mtab(g->cxt, 1);    /* no /etc/mtab, no utab */
	mnt_context_disable_helpers(g->cxt, 1); /* no /sbin/mount.<type> */
	mnt_context_set_cache(g->cxt, g->cache);
	return g->cxt;
}

/* Failure of a libmount context operation: the syscall's errno when one
 * was made, libmount's explanation (mnt_context_get_excode) as text. */
static int context_fail(lua_State *L, struct guard *g, int rc, const char *what,
                        const char *target)
{
	char msg[400] = "";
	int err = 0;
	size_t n;

	if (mnt_context_syscall_called(g->cxt))
		err = mnt_context_get_syscall_errno(g->cxt);
	if (!err)
		err = rc < 0 && rc > -4096 ? -rc : EINVAL;
	mnt_context_get_excode(g->cxt, rc, msg, sizeof msg);
	done(g);
	n = strlen(msg);
	while (n && (msg[n - 1] == '.' || msg[n - 1] == '\n'))
		msg[--n] = '\0';
	if (!n)
		return lx_fail(L, err, "%s %s", what, target);
	return lx_failmsg(L, err, "%s %s: %s", what, target, msg);
}

/* parse_fstab's fields that say again what options says (libmount's split
 * of it, and two of its words): mount reads options alone, so each one
 * given must agree with it. A vfs_options = "ro" beside no options, or an
 * options edited after parse_fstab, was a mount without them. Raises,
 * naming the field. */
static void check_derived(lua_State *L, const char *options)
{
	static const char *const parts[] = { "user_options", "vfs_options", "fs_options" };
	static const char *const words[] = { "noauto", "nofail" };
	const char *given[3];
	char *split[3] = { NULL, NULL, NULL };
	char msg[400] = "";

	for (int i = 0; i < 2; i++) {
		int v = lx_optboolean(L, 1, words[i], -1);
		if (v != -1 && v != has_option(options, words[i]))
			luaL_argerror(L, 1, lua_pushfstring(L, "%s = %s does not agree with options '%s' "
			              "(which give %s = %s): mount reads options alone", words[i],
			              v ? "true" : "false", options ? options : "", words[i],
			              v ? "false" : "true"));
	}
	for (int i = 0; i < 3; i++)
		given[i] = lx_optstring(L, 1, parts[i], NULL);
	if (!given[0] && !given[1] && !given[2])
		return;
	if (options && mnt_split_optstr(options, &split[0], &split[1], &split[2], 0, 0) < 0)
		luaL_error(L, "not enough memory"); /* its only failure, with options given */
	for (int i = 0; i < 3 && !*msg; i++)
		if (given[i] && strcmp(given[i], split[i] ? split[i] : "") != 0)
			snprintf(msg, sizeof msg, "%s '%s' does not agree with options '%s' (which "
			         "give %s '%s'): mount reads options alone", parts[i], given[i],
			         options ? options : "", parts[i], split[i] ? split[i] : "");
	for (int i = 0; i < 3; i++)
		free(split[i]);
	if (*msg)
		luaL_argerror(L, 1, lua_pushstring(L, msg));
}

/** mount : (entry, opts?) -> true, {option, ...}? | (nil, string, integer)
 * Mount one fstab-style entry {source, target, fstype?, options?} with
 * libmount: the options string is honoured as mount(8) does (ro, bind,
 * remount, propagation, loop, x-* kept out of the kernel), a missing or
 * "auto" fstype is probed, UUID=/LABEL= sources resolve through libblkid.
 * opts.mkdir creates the target first (X-mount.mkdir). noauto, nofail and
 * _netdev are the caller's business. An option that would have no effect
 * fails the call before anything is mounted (lx_mount_vet_options, l_mountopts.c), but with
 * opts.skip_newer an X-mount.* option of a newer libmount (X-mount.mode=)
 * is left out, as mount(8) 2.38 does, and listed after true. Errors read
 * "mount /mnt/data: reason". An unknown key of entry or opts raises, where
 * a misspelt options was a read-write mount; entry takes every field
 * parse_fstab returns: those that repeat options must agree with it
 * (check_derived); freq, passno and line are the fstab line's. */
static int l_mount(lua_State *L)
{
	static const char *const entry_keys[] = { "source", "target", "fstype", "options",
		"vfs_options", "fs_options", "user_options", "freq", "passno", "noauto",
		"nofail", "line", NULL };
	static const char *const keys[] = { "mkdir", "skip_newer", NULL };
	const char *source, *target, *fstype, *options;
	char *dev = NULL;
	struct libmnt_context *cxt;
	struct guard *g;
	int want_mkdir, skip, rc;

	lx_checkkeys(L, 1, entry_keys, NULL);
	lx_checkoptkeys(L, 2, keys);
	lua_settop(L, 2);
	source = lx_optstring(L, 1, "source", NULL);
	target = lx_optstring(L, 1, "target", NULL);
	fstype = lx_optstring(L, 1, "fstype", NULL);
	options = lx_optstring(L, 1, "options", NULL);
	want_mkdir = lx_optboolean(L, 2, "mkdir", 0);
	skip = lx_optboolean(L, 2, "skip_newer", 0);
	luaL_argcheck(L, target && *target, 1, "entry.target expected");
	check_derived(L, options);
	lua_pushnil(L);   /* 3: the options skip_newer left out, a table from the first */
	if ((rc = lx_mount_vet_options(L, target, source, fstype, want_mkdir, skip ? 3 : 0, &options)))
		return rc;
	g = new_guard(L);
	if (!(cxt = new_context(g))) {
		done(g);
		return lx_fail(L, ENOMEM, "mount %s", target);
	}
	/* tags through our long-lived blkid cache: libmount's own would write
	 * /run/blkid when freed */
	if (source && is_tag(source) && !(dev = evaluate_tag(source))) {
		done(g);
		return lx_failmsg(L, ENOENT, "mount %s: can't find %s", target, source);
	}
	mnt_context_set_optsmode(cxt, MNT_OMODE_NOTAB);   /* never read /etc/fstab */
	rc = mnt_context_set_target(cxt, target);
	if (!rc && (dev || source))
		rc = mnt_context_set_source(cxt, dev ? dev : source);
	if (!rc && fstype && *fstype && strcmp(fstype, "auto") != 0)
		rc = mnt_context_set_fstype(cxt, fstype);
	if (!rc && *options)
		rc = mnt_context_set_options(cxt, options);
	free(dev);
	if (!rc)
		rc = mnt_context_mount(cxt);
	if (rc == 0 && mnt_context_get_status(cxt) == 1) {
		done(g);
		lua_pushboolean(L, 1);
		if (lua_isnil(L, 3))
			return 1;
		lua_pushvalue(L, 3);
		return 2;
	}
	return context_fail(L, g, rc, "mount", target);
}

static int remount_ro(const char *target)
{
	return mount(NULL, target, NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 ? errno : 0;
}

/** umount : (target, opts?) -> true | true, "readonly" | (nil, string, integer)
 * Unmount with libmount (a loop device set up by mount is released).
 * opts: lazy (MNT_DETACH), force (MNT_FORCE), readonly_fallback (when
 * busy, remount read-only instead and return true, "readonly"). An unknown
 * key of opts raises, before anything is unmounted. */
static int l_umount(lua_State *L)
{
	static const char *const keys[] = { "lazy", "force", "readonly_fallback", NULL };
	const char *target = lx_checkstring(L, 1);
	int lazy, force, rofb, rc, err;
	struct libmnt_context *cxt;
	struct guard *g;
	struct stat st;

	lx_checkoptkeys(L, 2, keys);
	lazy = lx_optboolean(L, 2, "lazy", 0);
	force = lx_optboolean(L, 2, "force", 0);
	rofb = lx_optboolean(L, 2, "readonly_fallback", 0);
	g = new_guard(L);
	if (!(cxt = new_context(g))) {
		done(g);
		return lx_fail(L, ENOMEM, "umount %s", target);
	}
	mnt_context_enable_lazy(cxt, lazy);
	mnt_context_enable_force(cxt, force);
	rc = mnt_context_set_target(cxt, target);
	if (!rc)
		rc = mnt_context_umount(cxt);
	if (rc == 0 && mnt_context_get_status(cxt) == 1) {
		done(g);
		return lx_ok(L);
	}
	if (rofb && mnt_context_syscall_called(cxt)
	    && mnt_context_get_syscall_errno(cxt) == EBUSY) {
		done(g);
		if ((err = remount_ro(target)))
			return lx_fail(L, err, "umount %s: busy; remount read-only", target);
		lua_pushboolean(L, 1);
		lua_pushliteral(L, "readonly");
		return 2;
	}
	/* libmount words a missing target as "no mount point specified" */
	if ((!mnt_context_syscall_called(cxt) || mnt_context_get_syscall_errno(cxt) == ENOENT)
	    && lstat(target, &st) < 0) {
		err = errno;
		done(g);
		return lx_fail(L, err, "umount %s", target);
	}
	return context_fail(L, g, rc, "umount", target);
}

/* path is prefix itself or below it (whole components). */
static int path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (n == 1 && prefix[0] == '/')
		return 1;
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* opts.keep, checked whole before the first unmount: kept() reads it
 * lazily, up to the first match, so a bad entry past the match raised
 * only at a later mount, after some were gone, and a relative path, or a
 * map where an array was meant, kept nothing. */
static void check_keep(lua_State *L, int opts)
{
	lua_Integer n = 0, max = 0;
	const char *msg;

	if (lua_isnoneornil(L, opts) || lua_getfield(L, opts, "keep") == LUA_TNIL) {
		lua_settop(L, opts);
		return;
	}
	luaL_argcheck(L, lua_istable(L, -1), opts, "keep: array of paths expected");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_Integer i = lua_isinteger(L, -2) ? lua_tointeger(L, -2) : 0;
		luaL_argcheck(L, i >= 1 && lua_type(L, -1) == LUA_TSTRING, opts,
		              "keep: array of paths expected");
		if ((msg = lx_nulbyte(L, -1)))  /* {"/proc\0x"} kept /proc */
			luaL_argerror(L, opts, lua_pushfstring(L, "keep[%I]: %s", i, msg));
		if (lua_tostring(L, -1)[0] != '/')
			luaL_argerror(L, opts, lua_pushfstring(L, "keep: absolute path expected, got '%s'",
			                                       lua_tostring(L, -1)));
		n++;
		if (i > max)
			max = i;
		lua_pop(L, 1);
	}
	luaL_argcheck(L, n == max, opts, "keep: array of paths expected (it has holes)");
	lua_settop(L, opts);
}

static int kept(lua_State *L, int opts, const char *target)
{
	int top = lua_gettop(L), found = 0;

	/* keep was checked whole (check_keep) before the first unmount */
	if (!lua_isnoneornil(L, opts) && lua_getfield(L, opts, "keep") == LUA_TTABLE)
		for (lua_Integer i = 1; !found && lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
			found = path_under(target, lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	lua_settop(L, top);
	return found;
}

static void push_result(lua_State *L, int *n, const char *target,
                        const char *result, const char *error)
{
	lua_createtable(L, 0, 3);
	lx_setstr(L, "target", target);
	lx_setstr(L, "result", result);
	lx_setstr(L, "error", error);
	lua_rawseti(L, -2, ++*n);
}

/* umount2 the way shutdown wants it: once, once more after a sync, then
 * remount read-only so the data is safe even if the mount stays. */
static void umount_one(lua_State *L, int *n, const char *target)
{
	char msg[300];
	int err;

	if (strcmp(target, "/") == 0) {
		if ((err = remount_ro(target)))
			snprintf(msg, sizeof msg, "remount read-only: %s", strerror(err));
		push_result(L, n, target, err ? "failed" : "readonly", err ? msg : NULL);
		return;
	}
	if (umount2(target, UMOUNT_NOFOLLOW) == 0) {
		push_result(L, n, target, "unmounted", NULL);
		return;
	}
	err = errno;
	if (err == EBUSY) {
		sync();
		if (umount2(target, UMOUNT_NOFOLLOW) == 0) {
			push_result(L, n, target, "unmounted", NULL);
			return;
		}
		err = errno;
	}
	if (err == EBUSY) {
		int rerr = remount_ro(target);
		if (!rerr) {
			push_result(L, n, target, "readonly", "busy");
			return;
		}
		snprintf(msg, sizeof msg, "busy; remount read-only: %s", strerror(rerr));
		push_result(L, n, target, "failed", msg);
		return;
	}
	/* gone already (an earlier lazy unmount or propagation took it) */
	if (err == EINVAL || err == ENOENT) {
		push_result(L, n, target, "skipped", "not mounted");
		return;
	}
	push_result(L, n, target, "failed", strerror(err));
}

/** umount_all : (opts?) -> {{target, result, error?}, ...} | (nil, string, integer)
 * Unmount in reverse mountinfo order (children before parents). result:
 * "unmounted", "readonly" (busy after a sync and a retry, or "/" itself:
 * remounted read-only), "skipped" (kept, or already gone) or "failed".
 * opts.under = "/path": only mounts at or below it (tests: never run
 * this unrestricted on a host); opts.keep = {"/proc", ...}: leave these
 * and the mounts below them ("skipped"). An unknown key of opts raises
 * before anything is unmounted: a misspelt under unmounted everything; so
 * do an under or a keep path that is not absolute (under = "" was
 * everything, keep = {"proc"} nothing). */
static int l_umount_all(lua_State *L)
{
	static const char *const keys[] = { "under", "keep", NULL };
	const char *under;
	struct guard *g;
	struct libmnt_fs *fs;
	int err, n = 0;

	lx_checkoptkeys(L, 1, keys);
	lua_settop(L, 1);
	under = lx_optstring(L, 1, "under", NULL);
	if (under && under[0] != '/')
		luaL_argerror(L, 1, lua_pushfstring(L, "under: absolute path expected, got '%s'", under));
	check_keep(L, 1);
	g = new_guard(L);
	if ((err = read_mountinfo(g, MNT_ITER_BACKWARD))) {
		done(g);
		return lx_fail(L, err, "%s", MOUNTINFO);
	}
	lua_newtable(L);
	while (mnt_table_next_fs(g->tb, g->itr, &fs) == 0) {
		const char *target = mnt_fs_get_target(fs);

		if (!target || (under && !path_under(target, under)))
			continue;
		if (kept(L, 1, target))
			push_result(L, &n, target, "skipped", NULL);
		else
			umount_one(L, &n, target);
	}
	done(g);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "parse_fstab", l_parse_fstab }, { "mountinfo", l_mountinfo },
	{ "is_mounted", l_is_mounted }, { "resolve", l_resolve },
	{ "mount", l_mount }, { "umount", l_umount }, { "umount_all", l_umount_all },
	{ NULL, NULL }
};

int luaopen_luainit_mount(lua_State *L);
int luaopen_luainit_mount(lua_State *L)
{
	if (luaL_newmetatable(L, GUARD_MT)) {
		lua_pushcfunction(L, guard_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_pop(L, 1);
	luaL_newlib(L, funcs);
	return 1;
}
