/* l_chunk.c: luainit.chunk, loading the Lua files of /etc/luainit (the boot
 * file, the network configuration, every service definition) through a
 * cache of their compiled form.
 *
 * Why: the compiler (lexer, parser, code generator) is the largest piece of
 * C that a boot runs only to read these files; under emulation, code run
 * for the first time dominates, and compiling boot.lua alone took ~14 ms of
 * a ~700 ms boot. The cache maps a file's name to its length, FNV-1a hash
 * and bytecode; a file whose text differs is compiled as before, so the
 * cache never changes what runs, only whether the compiler does.
 *
 * A file whose length and modification and change times (to the
 * nanosecond) are those recorded is not even read: under emulation, the
 * first read of each file's data is a disk request of ~0.4 ms, a third of
 * a service's start. The change time cannot be set from user space, so a
 * file written since has another one; any other file is read and hashed.
 *
 * The compiled-in library is checked against its installed files
 * (/usr/lib/luainit) through the same records, with no code (codelen 0):
 * that a file of these times holds the built-in module's text. A boot
 * requires some fifteen modules; reading and hashing each file cost ~1 ms
 * of it, a stat ~0.1.
 *
 * The file (/var/cache/luainit/compiled for the machine's init) is read
 * once, at the first load or library check; the boot writes it back only when a file had to
 * be compiled or its times recorded again (chunk.save, from stage.done),
 * and the image build writes it ahead (scripts/precompile.lua, with times
 * in whole seconds as mke2fs -d copies them). It is bytecode that PID 1 runs, so it is
 * used only when it is a regular file owned by this user and writable by
 * nobody else. Format, host byte order:
 *   "LXCHUNK2", u32 taglen, tag (LUA_RELEASE), u32 count, then per file:
 *   u32 namelen, u32 codelen, u64 srclen, u64 srchash, u64 mtime, u64
 *   ctime (ns since the epoch, 0: unknown), u64 codehash, name with its NUL
 *   (namelen counts it), code (none for a library file's record).
 *   codehash guards against a damaged file:
 *   Lua's undump checks sizes, not meaning, and a flipped bit in trusted
 *   bytecode could crash PID 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lx.h"
#include "pid1.h"

#define MAGIC "LXCHUNK2"
#define DEFAULT_FILE "/var/cache/luainit/compiled"
#define FILE_MAX (16 << 20)   /* a cache or source file larger than this is refused */

struct entry {
	struct entry *next;
	uint64_t srclen, hash;
	uint64_t mtime, ctime;    /* the source's, ns; 0: read and hash it */
	uint64_t namehash;        /* FNV-1a of name: a lookup compares it first */
	size_t codelen;
	int used;                 /* loaded in this run: kept by save */
	const char *name;         /* into the cache's buffer, or into own[] */
	const unsigned char *code;
	unsigned char own[];
};

static struct {
	int state;                /* 0: not read yet, 1: in use, 2: released */
	char *file;               /* NULL: no cache */
	struct entry *list;
	char *buf;                /* the file as read (anonymous mmap: all of */
	size_t buflen;            /* it goes back to the kernel when let go) */
	int dirty;
	int seconds;              /* record times in whole seconds (image builds) */
	lua_Integer hits, misses, unread;   /* unread: hits on times alone */
} cc;

static uint64_t fnv1a(const void *p, size_t n) { return lx_fnv1a(LX_FNV1A_INIT, p, n); }

static void drop_all(void)
{
	while (cc.list) {
		struct entry *e = cc.list;
		cc.list = e->next;
		free(e);
	}
	if (cc.buf)
		munmap(cc.buf, cc.buflen + 1);
	cc.buf = NULL;
}

/* An entry for name and code; copied into the entry when copy is set,
 * else pointing into the cache's buffer (name NUL-terminated there). */
static struct entry *new_entry(const char *name, size_t namelen, const void *code, size_t codelen,
                               int copy)
{
	struct entry *e = malloc(sizeof *e + (copy ? codelen + namelen + 1 : 0));

	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof *e);
	e->codelen = codelen;
	e->name = name;
	e->code = code;
	e->namehash = fnv1a(name, namelen);
	if (copy) {
		memcpy(e->own, code, codelen);
		memcpy(e->own + codelen, name, namelen);
		e->own[codelen + namelen] = '\0';
		e->code = e->own;
		e->name = (const char *)e->own + codelen;
	}
	return e;
}

/* What a file that is not a regular one (nor a directory) is, for a
 * message. */
static const char *file_type(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "of an unknown type";
}

static uint64_t ns(struct timespec t) { return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec; }

/* Read a whole file into a fresh buffer; returns 0 or an errno value. With
 * trusted set, refuse a file that someone else could have written. The
 * file's status goes to *stp when given, also when the file is refused
 * for its type (EISDIR, or EINVAL for anything else that is not a regular
 * file: the caller can name the type).
 * O_NONBLOCK: a FIFO in the file's place (a service definition at a
 * reload) opens at once instead of waiting for a writer, which held PID 1
 * for good; a serial line, until its carrier. O_NOCTTY: a terminal there
 * must not become PID 1's controlling one. Neither changes a regular
 * file's reads. */
static int slurp(const char *path, int trusted, int anon, char **out, size_t *len, struct stat *stp)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), err = 0;

	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0) {
		err = errno;
	} else if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		if (stp)
			*stp = st;
	} else if (st.st_size > FILE_MAX) {
		err = EFBIG;
	} else if (trusted && (st.st_uid != geteuid() || (st.st_mode & 022))) {
		err = EPERM;
	}
	if (err) {
		close(fd);
		return err;
	}
	if (anon) {
		buf = mmap(NULL, (size_t)st.st_size + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			buf = NULL;
	} else {
		buf = malloc((size_t)st.st_size + 1);
	}
	if (buf == NULL) {
		close(fd);
		return ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0 || got + (size_t)n > (size_t)st.st_size)
			break;   /* end, or the file grew: what was read is used */
		got += (size_t)n;
	}
	close(fd);
	if (err) {
		if (anon)
			munmap(buf, (size_t)st.st_size + 1);
		else
			free(buf);
		return err;
	}
	if (anon && got != (size_t)st.st_size) {
		/* the mapping's length must be known to unmap it */
		munmap(buf, (size_t)st.st_size + 1);
		return EAGAIN;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	if (stp)
		*stp = st;
	return 0;
}

static int take(const char **p, const char *end, void *dst, size_t n)
{
	if ((size_t)(end - *p) < n)
		return 0;
	memcpy(dst, *p, n);
	*p += n;
	return 1;
}

/* Parse a cache file; anything malformed leaves the cache empty (and dirty,
 * so that the next save replaces it). */
static void parse(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	uint32_t taglen, count;
	char magic[8];

	if (!take(&p, end, magic, 8) || memcmp(magic, MAGIC, 8) != 0 ||
	    !take(&p, end, &taglen, 4) || taglen != strlen(LUA_RELEASE) ||
	    (size_t)(end - p) < taglen || memcmp(p, LUA_RELEASE, taglen) != 0)
		goto bad;
	p += taglen;
	if (!take(&p, end, &count, 4))
		goto bad;
	while (count--) {
		uint32_t namelen, codelen;
		uint64_t srclen, hash, mtime, ctime, codehash;
		struct entry *e;

		if (!take(&p, end, &namelen, 4) || !take(&p, end, &codelen, 4) ||
		    !take(&p, end, &srclen, 8) || !take(&p, end, &hash, 8) ||
		    !take(&p, end, &mtime, 8) || !take(&p, end, &ctime, 8) ||
		    !take(&p, end, &codehash, 8) ||
		    namelen == 0 || (size_t)(end - p) < (size_t)namelen + codelen ||
		    strnlen(p, namelen) != namelen - 1 ||
		    fnv1a((const unsigned char *)p + namelen, codelen) != codehash)
			goto bad;
		e = new_entry(p, namelen - 1, p + namelen, codelen, 0);
		if (e == NULL)
			goto bad;
		e->srclen = srclen;
		e->hash = hash;
		e->mtime = mtime;
		e->ctime = ctime;
		e->next = cc.list;
		cc.list = e;
		p += namelen + codelen;
	}
	if (p == end)
		return;
bad:
	drop_all();
	cc.dirty = 1;
}

/* Read the cache file named by cc.file, once. */
static void ensure_read(void)
{
	char *buf;
	size_t len;

	if (cc.state != 0)
		return;
	cc.state = 1;
	if (cc.file == NULL && !lx_script_mode && !lx_container && getpid() == 1)
		cc.file = strdup(DEFAULT_FILE);
	if (cc.file == NULL || slurp(cc.file, 1, 1, &buf, &len, NULL) != 0)
		return;
	cc.buf = buf;
	cc.buflen = len;
	parse(buf, len);
}

/* The entry for name. The list is searched once per file a boot loads, so
 * a scaled boot's hundreds of service definitions made the strcmp of their
 * long common prefixes quadratic; comparing the names' hashes first keeps
 * each step of the walk to one comparison. */
static struct entry **find_link(const char *name)
{
	uint64_t h = fnv1a(name, strlen(name));
	struct entry **pp;

	for (pp = &cc.list; *pp; pp = &(*pp)->next)
		if ((*pp)->namehash == h && strcmp((*pp)->name, name) == 0)
			break;
	return pp;
}

static struct entry *find(const char *name) { return *find_link(name); }

/* Record the source's times, in whole seconds for an image build (mke2fs
 * -d keeps no more); the next load that finds them unchanged skips the
 * read. */
static void set_times(struct entry *e, const struct stat *st)
{
	struct timespec m = st->st_mtim, c = st->st_ctim;

	if (cc.seconds)
		m.tv_nsec = c.tv_nsec = 0;
	e->mtime = ns(m);
	e->ctime = ns(c);
}

/* Is the file at path, as stat sees it now, the one e was made from? */
static int unchanged(const struct entry *e, const char *path)
{
	struct stat st;

	return e->mtime && e->ctime && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       (uint64_t)st.st_size == e->srclen && ns(st.st_mtim) == e->mtime &&
	       ns(st.st_ctim) == e->ctime;
}

struct dumpbuf {
	unsigned char *p;
	size_t len, cap;
};

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
	struct dumpbuf *b = ud;

	(void)L;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		unsigned char *q;
		while (cap < b->len + n)
			cap *= 2;
		q = realloc(b->p, cap);
		if (q == NULL)
			return 1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

/* Put e, made for a source of srclen and hash with status st, in the
 * cache in place of any entry of its name, to be written at save. */
static void record(struct entry *e, uint64_t srclen, uint64_t hash, const struct stat *st)
{
	struct entry **pp;

	e->srclen = srclen;
	e->hash = hash;
	set_times(e, st);
	e->used = 1;
	if (*(pp = find_link(e->name))) {
		struct entry *old = *pp;
		*pp = old->next;
		free(old);
	}
	e->next = cc.list;
	cc.list = e;
	cc.dirty = 1;
}

/* Remember the function at the top of the stack as the compiled text of
 * name. Failing to (memory) only costs a compile next time. */
static void remember(lua_State *L, const char *name, uint64_t srclen, uint64_t hash,
                     const struct stat *st)
{
	struct dumpbuf b = { NULL, 0, 0 };
	struct entry *e;

	if (cc.file == NULL || cc.state != 1)
		return;
	if (lua_dump(L, dump_writer, &b, 0) != 0 || (e = new_entry(name, strlen(name), b.p, b.len, 1)) == NULL) {
		free(b.p);
		return;
	}
	free(b.p);
	record(e, srclen, hash, st);
}

/* Hash the file open on fd, stopping once it is longer than limit. */
static int hash_fd(int fd, size_t limit, uint64_t *hash, size_t *len)
{
	unsigned char buf[4096];
	uint64_t h = LX_FNV1A_INIT;
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		h = lx_fnv1a(h, buf, (size_t)n);
		total += (size_t)n;
		if (total > limit)
			break;
	}
	*hash = h;
	*len = total;
	return 0;
}

int lx_chunk_sametext(const char *path, const char *name, unsigned long long srclen,
                      unsigned long long srchash)
{
	struct entry *e;
	struct stat st;
	uint64_t hash;
	size_t len;
	int fd, err;

	ensure_read();
	e = cc.state == 1 ? find(name) : NULL;
	if (e && e->codelen == 0 && e->srclen == srclen && e->hash == srchash && unchanged(e, path)) {
		e->used = 1;
		cc.hits++;
		cc.unread++;
		return 1;
	}
	/* (non-blocking, as slurp: a FIFO there must not hold the require) */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	err = hash_fd(fd, srclen, &hash, &len);
	close(fd);
	if (err)
		return -1;
	if (len != srclen || hash != srchash)
		return 0;
	if (cc.state == 1 && cc.file && (e = new_entry(name, strlen(name), "", 0, 1)) != NULL)
		record(e, srclen, srchash, &st);
	return 1;
}

/** loadfile : (path, env?, name?) -> function | (nil, string)
 * Like loadfile(path, "t", env): a text chunk, its first line skipped when
 * it starts with '#'. name (default path) names the chunk in messages and
 * in the cache: the image build compiles files of a staging tree under the
 * names they have on the machine. */
static int l_loadfile(lua_State *L)
{
	const char *path = lx_checkstring(L, 1);
	const char *name = lx_optstr(L, 3, path);
	int has_env = !lua_isnoneornil(L, 2);
	char *text = NULL;
	size_t len, skip = 0;
	uint64_t hash;
	struct entry *e;
	struct stat sb;
	int err, st, hit = 0;

	ensure_read();
	/* before the text is read: from here to free(text) nothing may raise
	 * (luaL_loadbufferx and lua_dump report errors, they do not throw) */
	lua_pushfstring(L, "@%s", name);
	e = cc.state == 1 ? find(name) : NULL;
	if (e && e->codelen == 0)
		e = NULL;   /* a library file's record: no code to load */
	if (e && unchanged(e, path)) {
		if (luaL_loadbufferx(L, (const char *)e->code, e->codelen, lua_tostring(L, -1), "b") == LUA_OK)
			hit = 1;
		else
			lua_pop(L, 1);
	}
	if (!hit) {
		sb.st_mode = S_IFREG;
		err = slurp(path, 0, 0, &text, &len, &sb);
		if (err) {
			lua_pushnil(L);
			if (err == EINVAL && !S_ISREG(sb.st_mode))
				lua_pushfstring(L, "cannot open %s: not a regular file (%s)", name, file_type(sb.st_mode));
			else
				lua_pushfstring(L, "cannot open %s: %s", name, strerror(err));
			return 2;
		}
		hash = fnv1a((const unsigned char *)text, len);
		if (e && e->srclen == len && e->hash == hash) {
			if (luaL_loadbufferx(L, (const char *)e->code, e->codelen, lua_tostring(L, -1), "b") == LUA_OK) {
				hit = 1;
				/* the same text with other times (copied, touched):
				 * record them, so the next boot need not read it */
				set_times(e, &sb);
				cc.dirty = 1;
			} else {
				lua_pop(L, 1);   /* the bytecode's error: compile instead */
			}
		}
	}
	if (hit) {
		e->used = 1;
		cc.hits++;
		cc.unread += text == NULL;
	} else {
		/* as luaL_loadfilex: a UTF-8 BOM and a first line starting with
		 * '#' are skipped, the line's newline kept for line numbers */
		if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
			skip = 3;
		if (skip < len && text[skip] == '#')
			while (skip < len && text[skip] != '\n')
				skip++;
		st = luaL_loadbufferx(L, text + skip, len - skip, lua_tostring(L, -1), "t");
		if (st != LUA_OK) {
			free(text);
			lua_pushnil(L);
			lua_insert(L, -2);
			return 2;
		}
		cc.misses++;
		if (skip == 0)   /* keep it simple: cache only what loads as is */
			remember(L, name, len, hash, &sb);
	}
	free(text);
	if (has_env) {
		lua_pushvalue(L, 2);
		if (!lua_setupvalue(L, -2, 1))
			lua_pop(L, 1);
	}
	return 1;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_cache(const char *file, const char *tmp)
{
	uint32_t taglen = (uint32_t)strlen(LUA_RELEASE), count = 0;
	int fd, err;

	for (struct entry *e = cc.list; e; e = e->next)
		count += e->used;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return errno;
	err = write_all(fd, MAGIC, 8);
	if (!err) err = write_all(fd, &taglen, 4);
	if (!err) err = write_all(fd, LUA_RELEASE, taglen);
	if (!err) err = write_all(fd, &count, 4);
	for (struct entry *e = cc.list; e && !err; e = e->next) {
		uint32_t namelen = (uint32_t)strlen(e->name) + 1, codelen = (uint32_t)e->codelen;
		uint64_t codehash = fnv1a(e->code, e->codelen);
		if (!e->used)
			continue;
		err = write_all(fd, &namelen, 4);
		if (!err) err = write_all(fd, &codelen, 4);
		if (!err) err = write_all(fd, &e->srclen, 8);
		if (!err) err = write_all(fd, &e->hash, 8);
		if (!err) err = write_all(fd, &e->mtime, 8);
		if (!err) err = write_all(fd, &e->ctime, 8);
		if (!err) err = write_all(fd, &codehash, 8);
		if (!err) err = write_all(fd, e->name, namelen);
		if (!err) err = write_all(fd, e->code, codelen);
	}
	/* the rename below must not expose a file whose data is not on disk */
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp, file) < 0)
		err = errno;
	if (err)
		unlink(tmp);
	return err;
}

/** save : (force?) -> boolean | (nil, string, integer)
 * Write the files loaded so far to the cache when one of them had to be
 * compiled (or force is true), then let the cache go: later loads compile.
 * Returns whether the file was written. The last directory of the cache's
 * path is created if missing. */
static int l_save(lua_State *L)
{
	int force = lua_toboolean(L, 1), err = 0, wrote = 0;

	ensure_read();
	if (cc.state == 1 && cc.file && (cc.dirty || force)) {
		size_t n = strlen(cc.file);
		char *tmp = malloc(n + 5), *slash;
		if (tmp == NULL) {
			err = ENOMEM;
		} else {
			memcpy(tmp, cc.file, n + 1);
			slash = strrchr(tmp, '/');
			if (slash && slash != tmp) {
				*slash = '\0';
				if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
					err = errno;
			}
			memcpy(tmp, cc.file, n);
			memcpy(tmp + n, ".new", 5);
			if (!err)
				err = write_cache(cc.file, tmp);
			free(tmp);
			wrote = !err;
		}
	}
	drop_all();
	cc.state = 2;
	if (err)
		return lx_fail(L, err, "write %s", cc.file);
	lua_pushboolean(L, wrote);
	return 1;
}

/** use : (file?, {seconds = boolean}?) -> true
 * Read the cache from file from now on (nil: no cache), dropping what was
 * read before. PID 1 of a machine uses /var/cache/luainit/compiled without
 * being told; anything else has no cache until it calls this. seconds:
 * record the files' times in whole seconds, for an image that mke2fs -d
 * will make from this tree. Any other key raises ("unknown key 'second'"),
 * and so does a seconds that is not a boolean (any value was taken for
 * its truth), before the cache in use is dropped. */
static int l_use(lua_State *L)
{
	static const char *const keys[] = { "seconds", NULL };
	const char *file = lx_optstr(L, 1, NULL);
	char *copy;
	int seconds;

	lx_checkoptkeys(L, 2, keys);
	seconds = lx_optboolean(L, 2, "seconds", 0);
	copy = file ? strdup(file) : NULL;
	if (file && copy == NULL)
		return luaL_error(L, "out of memory");
	drop_all();
	free(cc.file);
	cc.file = copy;
	cc.seconds = seconds;
	cc.state = 0;
	cc.dirty = 0;
	cc.hits = cc.misses = cc.unread = 0;
	if (cc.file == NULL)
		cc.state = 1;   /* nothing to read, and not the default either */
	return lx_ok(L);
}

/** stats : () -> {file = string?, hits = integer, unread = integer, misses = integer, entries = integer} */
static int l_stats(lua_State *L)
{
	lua_Integer n = 0;

	for (struct entry *e = cc.list; e; e = e->next)
		n++;
	lua_createtable(L, 0, 5);
	if (cc.file)
		lx_setstr(L, "file", cc.file);
	lx_setint(L, "hits", cc.hits);
	lx_setint(L, "unread", cc.unread);
	lx_setint(L, "misses", cc.misses);
	lx_setint(L, "entries", n);
	return 1;
}

/** builtin : (path, module, name?) -> boolean
 * Whether the file at path holds the text of the compiled-in library
 * module (as require checks an installed file before using the built-in
 * bytecode). With a cache in use the answer is recorded under name
 * (default path) with the file's times, so that the next check of the
 * unchanged file is a stat; the image build records /usr/lib/luainit so.
 * Raises for a module luainit does not have built in. */
static int l_builtin(lua_State *L)
{
	const char *path = lx_checkstring(L, 1), *mod = lx_checkstring(L, 2);
	const char *name = lx_optstr(L, 3, path);
	const struct lx_embedded *e;

	if (!(e = lx_lualib_find(mod)))
		return luaL_argerror(L, 2, lua_pushfstring(L, "no built-in module '%s'", mod));
	lua_pushboolean(L, lx_chunk_sametext(path, name, e->srclen, e->srchash) == 1);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "loadfile", l_loadfile }, { "builtin", l_builtin }, { "save", l_save }, { "use", l_use }, { "stats", l_stats },
	{ NULL, NULL }
};

int luaopen_luainit_chunk(lua_State *L);
int luaopen_luainit_chunk(lua_State *L)
{
	luaL_newlib(L, funcs);
	return 1;
}
