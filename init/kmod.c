/* kmod.c: module resolution and loading without libkmod (see kmod.h).
 * The index files are read whole into a few heap blocks and split in
 * place, so a boot that resolves hundreds of modaliases reads each file
 * once; kmod_flush gives the memory back. Errors are errno values. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kmod.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define FILE_MAX   (32u << 20)  /* modules.alias of a distro kernel: ~1.5 MiB */
#define CONF_MAX   (1u << 20)
#define CONF_FILES 256
#define DEPS_MAX   128
#define DEPTH_MAX  32

struct kmod_buf {
	struct kmod_buf *next;
	size_t size;
	char data[];
};

static const char *const default_confdirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/usr/lib/modprobe.d", "/lib/modprobe.d",
};

/* Every cache allocation goes on db->bufs so kmod_flush frees all of it. */
static void *db_alloc(struct kmod_db *db, size_t size)
{
	struct kmod_buf *b = malloc(sizeof *b + size);

	if (!b)
		return NULL;
	b->next = db->bufs;
	b->size = size;
	db->bufs = b;
	db->bytes += sizeof *b + size;
	return b->data;
}

void kmod_init(struct kmod_db *db)
{
	memset(db, 0, sizeof *db);
	kmod_settings_init(&db->set);
}

size_t kmod_flush(struct kmod_db *db)
{
	size_t bytes = db->bytes;

	while (db->bufs) {
		struct kmod_buf *b = db->bufs;
		db->bufs = b->next;
		free(b);
	}
	free(db->conf);
	db->conf = NULL;
	db->nconf = 0;
	db->mods = NULL;
	db->nmods = 0;
	db->aliases = NULL;
	db->naliases = 0;
	db->builtin = NULL;
	db->nbuiltin = 0;
	db->loaded = 0;
	db->dep_err = 0;
	db->builtin_err = 0;
	db->bytes = 0;
	return bytes;
}

void kmod_settings_init(struct kmod_settings *s)
{
	memset(s, 0, sizeof *s);
	s->nconfdirs = -1;
}

int kmod_settings_root(struct kmod_settings *s, const char *root)
{
	if (root && strlen(root) >= sizeof s->root)
		return ENAMETOOLONG;
	snprintf(s->root, sizeof s->root, "%s", root ? root : "");
	return 0;
}

int kmod_settings_confdirs(struct kmod_settings *s, const char *const *dirs, int n)
{
	if (dirs && (n < 0 || n > KMOD_CONFDIRS))
		return E2BIG;
	for (int i = 0; dirs && i < n; i++)
		if (strlen(dirs[i]) >= sizeof s->confdirs[0])
			return ENAMETOOLONG;
	s->nconfdirs = dirs ? n : -1;
	for (int i = 0; dirs && i < n; i++)
		snprintf(s->confdirs[i], sizeof s->confdirs[i], "%s", dirs[i]);
	return 0;
}

int kmod_settings_cmdline(struct kmod_settings *s, const char *cmdline)
{
	if (cmdline && strlen(cmdline) >= sizeof s->cmdline)
		return E2BIG;
	s->has_cmdline = cmdline != NULL;
	snprintf(s->cmdline, sizeof s->cmdline, "%s", cmdline ? cmdline : "");
	return 0;
}

void kmod_configure(struct kmod_db *db, const struct kmod_settings *s)
{
	kmod_flush(db);
	db->set = *s;
}

const char *kmod_root(struct kmod_db *db, char *buf, size_t size)
{
	struct utsname u;
	struct stat st;

	if (db->set.root[0]) {
		snprintf(buf, size, "%s", db->set.root);
		return buf;
	}
	uname(&u);
	snprintf(buf, size, "/lib/modules/%s", u.release);
	/* a merged-/usr system without the /lib symlink */
	if (stat(buf, &st) < 0) {
		char alt[256];
		snprintf(alt, sizeof alt, "/usr/lib/modules/%s", u.release);
		if (stat(alt, &st) == 0)
			snprintf(buf, size, "%s", alt);
	}
	return buf;
}

/* Name of a module file: directory and ".ko[.xz|.zst|.gz]" dropped. */
static int name_of_path(char *dst, size_t size, const char *path)
{
	const char *base = strrchr(path, '/'), *end;
	size_t n;

	base = base ? base + 1 : path;
	end = strstr(base, ".ko");
	while (end && end[3] != '\0' && end[3] != '.')
		end = strstr(end + 1, ".ko");
	n = end ? (size_t)(end - base) : strlen(base);
	if (n == 0)
		return EINVAL;
	if (n >= size)
		return ENAMETOOLONG;
	for (size_t i = 0; i < n; i++)
		dst[i] = base[i] == '-' ? '_' : base[i];
	dst[n] = '\0';
	return 0;
}

int kmod_normalise(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || strspn(src, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
		return EINVAL;
	return name_of_path(dst, size, src);
}

/* Read a whole index file into a cache block. A missing file reads as
 * empty (*data NULL) and returns ENOENT so the caller can tell. */
static int read_file(struct kmod_db *db, const char *path, size_t max,
                     char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st;
	size_t got = 0;
	char *buf;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return EFBIG;
	}
	if (!(buf = db_alloc(db, (size_t)st.st_size + 1))) {
		close(fd);
		return ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return err;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

/* Cut s at the next newline; return the start of the following line. */
static char *next_line(char *s)
{
	char *nl = strchr(s, '\n');

	if (!nl)
		return s + strlen(s);
	*nl = '\0';
	return nl + 1;
}

/* Next blank-separated word of *s, NUL-terminated in place, or NULL. */
static char *next_word(char **s)
{
	char *p = *s + strspn(*s, " \t\r"), *w = p;

	if (!*p)
		return NULL;
	p += strcspn(p, " \t\r");
	if (*p)
		*p++ = '\0';
	*s = p;
	return w;
}

static int cmp_mod(const void *a, const void *b)
{
	return strcmp(((const struct kmod_mod *)a)->name, ((const struct kmod_mod *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* modules.dep: "path: dep dep ...". */
static int parse_dep(struct kmod_db *db, const char *root)
{
	char path[512], *data, *pool, *line;
	size_t len;
	int err;

	snprintf(path, sizeof path, "%s/modules.dep", root);
	if ((err = read_file(db, path, FILE_MAX, &data, &len))) {
		db->dep_err = err;
		return err == ENOENT ? 0 : err;
	}
	db->mods = db_alloc(db, count_lines(data, len) * sizeof *db->mods);
	pool = db_alloc(db, len + 1);   /* names are shorter than their paths */
	if (!db->mods || !pool)
		return ENOMEM;
	for (line = data; *line;) {
		char *s = line, *colon, *dst, *w;
		struct kmod_mod *m = &db->mods[db->nmods];

		line = next_line(line);
		if (!(colon = strchr(s, ':')))
			continue;
		*colon = '\0';
		if (name_of_path(pool, KMOD_NAME_MAX, s))
			continue;
		m->name = pool;
		pool += strlen(pool) + 1;
		m->path = s;
		m->ndeps = 0;
		/* compact the dependency words into a NUL-separated list */
		m->deps = dst = s = colon + 1;
		while ((w = next_word(&s))) {
			size_t n = strlen(w);
			memmove(dst, w, n + 1);
			dst += n + 1;
			m->ndeps++;
		}
		db->nmods++;
	}
	qsort(db->mods, db->nmods, sizeof *db->mods, cmp_mod);
	return 0;
}

static size_t literal_prefix(const char *pat)
{
	return strcspn(pat, "*?[\\");
}

/* modules.alias and modules.builtin.alias: "alias pattern module". */
static int parse_alias(struct kmod_db *db, const char *root, const char *file)
{
	char path[512], *data, *line;
	struct kmod_alias *a;
	size_t len;
	int err;

	snprintf(path, sizeof path, "%s/%s", root, file);
	if ((err = read_file(db, path, FILE_MAX, &data, &len)))
		return err == ENOENT ? 0 : err;
	a = db_alloc(db, (db->naliases + count_lines(data, len)) * sizeof *a);
	if (!a)
		return ENOMEM;
	/* the old block stays on db->bufs until the flush: simpler than realloc */
	if (db->naliases)
		memcpy(a, db->aliases, db->naliases * sizeof *a);
	db->aliases = a;
	for (line = data; *line;) {
		char *s = line, *kw, *pat, *mod;

		line = next_line(line);
		kw = next_word(&s);
		if (!kw || strcmp(kw, "alias") != 0)
			continue;
		if (!(pat = next_word(&s)) || !(mod = next_word(&s)))
			continue;
		for (char *p = mod; *p; p++)
			if (*p == '-')
				*p = '_';
		a = &db->aliases[db->naliases++];
		a->pattern = pat;
		a->module = mod;
		a->prefix = literal_prefix(pat);
	}
	return 0;
}

/* modules.builtin: one path per line. */
static int parse_builtin(struct kmod_db *db, const char *root)
{
	char path[512], *data, *line;
	size_t len;
	int err;

	snprintf(path, sizeof path, "%s/modules.builtin", root);
	if ((err = read_file(db, path, FILE_MAX, &data, &len))) {
		db->builtin_err = err;
		return err == ENOENT ? 0 : err;
	}
	if (!(db->builtin = db_alloc(db, count_lines(data, len) * sizeof *db->builtin)))
		return ENOMEM;
	for (line = data; *line;) {
		char *s = line, name[KMOD_NAME_MAX];

		line = next_line(line);
		s += strspn(s, " \t");
		if (!*s || *s == '#' || name_of_path(name, sizeof name, s))
			continue;
		strcpy(s, name);        /* never longer than the path it came from */
		db->builtin[db->nbuiltin++] = s;
	}
	qsort(db->builtin, db->nbuiltin, sizeof *db->builtin, cmp_str);
	return 0;
}

static int add_conf(struct kmod_db *db, char kind, char *module, const char *arg)
{
	struct kmod_conf *c;

	if (db->nconf % 64 == 0) {
		c = realloc(db->conf, (db->nconf + 64) * sizeof *c);
		if (!c)
			return ENOMEM;
		db->conf = c;
		db->bytes += 64 * sizeof *c;
	}
	for (char *p = module; *p; p++)
		if (*p == '-')
			*p = '_';
	c = &db->conf[db->nconf++];
	c->kind = kind;
	c->module = module;
	c->arg = arg;
	return 0;
}

/* One modprobe.d file: options, blacklist and alias lines; install,
 * remove and softdep need a shell or ordering we do not offer. */
static int parse_conf_text(struct kmod_db *db, char *text)
{
	char *line, *p;
	int err;

	/* a backslash-newline continues the line */
	for (p = text; (p = strchr(p, '\\'));)
		if (p[1] == '\n')
			p[0] = p[1] = ' ';
		else
			p++;
	for (line = text; *line;) {
		char *s = line, *kw, *mod;

		line = next_line(line);
		if (!(kw = next_word(&s)) || kw[0] == '#' || !(mod = next_word(&s)))
			continue;
		if (strcmp(kw, "options") == 0) {
			s += strspn(s, " \t");
			for (p = s + strlen(s); p > s && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r');)
				*--p = '\0';
			if (*s && (err = add_conf(db, 'o', mod, s)))
				return err;
		} else if (strcmp(kw, "blacklist") == 0) {
			if ((err = add_conf(db, 'b', mod, "")))
				return err;
		} else if (strcmp(kw, "alias") == 0) {
			char *target = next_word(&s);
			if (target && (err = add_conf(db, 'a', target, mod)))
				return err;
		}
	}
	return 0;
}

struct conf_file {
	char name[128];
	int dir;
};

static int cmp_conf_file(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

static int parse_confdirs(struct kmod_db *db)
{
	static struct conf_file files[CONF_FILES];  /* PID 1 is single-threaded */
	int nfiles = 0, ndirs = db->set.nconfdirs < 0
		? (int)(sizeof default_confdirs / sizeof default_confdirs[0]) : db->set.nconfdirs;

	for (int d = 0; d < ndirs; d++) {
		const char *dir = db->set.nconfdirs < 0 ? default_confdirs[d] : db->set.confdirs[d];
		DIR *dp = opendir(dir);
		struct dirent *de;

		if (!dp)
			continue;
		while ((de = readdir(dp)) && nfiles < CONF_FILES) {
			size_t n = strlen(de->d_name);
			int dup = 0;

			if (n < 6 || n >= sizeof files[0].name || strcmp(de->d_name + n - 5, ".conf"))
				continue;
			/* the first directory holding a file name wins */
			for (int i = 0; i < nfiles && !dup; i++)
				dup = strcmp(files[i].name, de->d_name) == 0;
			if (dup)
				continue;
			memcpy(files[nfiles].name, de->d_name, n + 1);
			files[nfiles++].dir = d;
		}
		closedir(dp);
	}
	qsort(files, (size_t)nfiles, sizeof files[0], cmp_conf_file);
	for (int i = 0; i < nfiles; i++) {
		const char *dir = db->set.nconfdirs < 0 ? default_confdirs[files[i].dir]
			: db->set.confdirs[files[i].dir];
		char path[320], *data;
		size_t len;
		int err;

		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, files[i].name) >= sizeof path)
			continue;
		if (read_file(db, path, CONF_MAX, &data, &len) || !data)
			continue;       /* an unreadable file must not stop a boot */
		if ((err = parse_conf_text(db, data)))
			return err;
	}
	return 0;
}

/* "mod.param=value" words of the kernel command line become options, and
 * modprobe.blacklist=a,b blacklist entries, as with modprobe. */
static int parse_cmdline(struct kmod_db *db)
{
	char *s, *w;
	int err;

	if (!db->set.has_cmdline) {
		int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, db->set.cmdline, sizeof db->set.cmdline - 1);

		if (fd >= 0)
			close(fd);
		db->set.cmdline[n > 0 ? n : 0] = '\0';
	}
	if (!(s = db_alloc(db, strlen(db->set.cmdline) + 1)))
		return ENOMEM;
	strcpy(s, db->set.cmdline);
	for (char *p = s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	while (*(s += strspn(s, " \t"))) {
		int quoted = 0;
		char *dot, *eq;

		/* a word ends at a blank outside double quotes */
		for (w = s; *s && (quoted || (*s != ' ' && *s != '\t')); s++)
			if (*s == '"')
				quoted = !quoted;
		if (*s)
			*s++ = '\0';
		if (strcmp(w, "--") == 0)
			break;          /* the rest belongs to init */
		if (*w == '"') {
			size_t n = strlen(++w);
			if (n && w[n - 1] == '"')
				w[n - 1] = '\0';
		}
		dot = strchr(w, '.');
		eq = strchr(w, '=');
		if (!dot || dot == w || (eq && eq < dot) || !dot[1])
			continue;
		*dot = '\0';
		if (strcmp(w, "modprobe") == 0) {
			if (strncmp(dot + 1, "blacklist=", 10) == 0)
				for (char *m = dot + 11, *c; *m; m = c) {
					c = m + strcspn(m, ",");
					if (*c)
						*c++ = '\0';
					if (*m && (err = add_conf(db, 'b', m, "")))
						return err;
				}
			continue;
		}
		if ((err = add_conf(db, 'o', w, dot + 1)))
			return err;
	}
	return 0;
}

int kmod_open(struct kmod_db *db)
{
	char root[256];
	int err;

	if (db->loaded)
		return 0;
	kmod_root(db, root, sizeof root);
	if ((err = parse_dep(db, root)) || (err = parse_alias(db, root, "modules.alias"))
	    || (err = parse_alias(db, root, "modules.builtin.alias"))
	    || (err = parse_builtin(db, root)) || (err = parse_confdirs(db))
	    || (err = parse_cmdline(db))) {
		kmod_flush(db);
		return err;
	}
	db->loaded = 1;
	return 0;
}

void kmod_refresh(struct kmod_db *db)
{
	char root[256], path[300];

	if (!db->loaded || db->dep_err != ENOENT)
		return;
	snprintf(path, sizeof path, "%s/modules.dep", kmod_root(db, root, sizeof root));
	if (access(path, F_OK) == 0)
		kmod_flush(db);
}

const struct kmod_mod *kmod_find(struct kmod_db *db, const char *name)
{
	struct kmod_mod key;
	char n[KMOD_NAME_MAX];

	if (kmod_open(db) || kmod_normalise(n, sizeof n, name) || !db->nmods)
		return NULL;
	key.name = n;
	return bsearch(&key, db->mods, db->nmods, sizeof key, cmp_mod);
}

int kmod_is_builtin(struct kmod_db *db, const char *name)
{
	char n[KMOD_NAME_MAX], path[128];
	const char *key = n;
	struct stat st;

	if (kmod_normalise(n, sizeof n, name))
		return 0;
	if (kmod_open(db) == 0 && !db->builtin_err)
		return db->nbuiltin
			&& bsearch(&key, db->builtin, db->nbuiltin, sizeof key, cmp_str);
	/* without modules.builtin: a /sys/module entry with no initstate is
	 * built in (libkmod reasons the same way) */
	snprintf(path, sizeof path, "/sys/module/%s", n);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(path, sizeof path, "/sys/module/%s/initstate", n);
	return access(path, F_OK) < 0;
}

int kmod_is_blacklisted(struct kmod_db *db, const char *name)
{
	char n[KMOD_NAME_MAX];

	if (kmod_normalise(n, sizeof n, name) || kmod_open(db))
		return 0;
	for (size_t i = 0; i < db->nconf; i++)
		if (db->conf[i].kind == 'b' && strcmp(db->conf[i].module, n) == 0)
			return 1;
	return 0;
}

int kmod_is_loaded(const char *name)
{
	char n[KMOD_NAME_MAX], path[128], line[256];
	FILE *f;
	int found = 0;

	if (kmod_normalise(n, sizeof n, name))
		return 0;
	snprintf(path, sizeof path, "/sys/module/%s/initstate", n);
	if (access(path, F_OK) == 0)
		return 1;
	if (access("/sys/module", F_OK) == 0)
		return 0;
	/* sysfs not mounted yet: fall back to /proc/modules */
	if (!(f = fopen("/proc/modules", "re")))
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		size_t len = strcspn(line, " ");
		found = len == strlen(n) && memcmp(line, n, len) == 0;
	}
	fclose(f);
	return found;
}

static int add_unique(const char **out, int n, int max, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(out[i], name) == 0)
			return n;
	if (n < max)
		out[n++] = name;
	return n;
}

int kmod_lookup(struct kmod_db *db, const char *alias, const char **out,
                int max, int skip_blacklisted)
{
	int n = 0;

	if (kmod_open(db))
		return 0;
	for (size_t i = 0; i < db->nconf; i++) {
		const struct kmod_conf *c = &db->conf[i];
		if (c->kind == 'a' && fnmatch(c->arg, alias, 0) == 0
		    && !(skip_blacklisted && kmod_is_blacklisted(db, c->module)))
			n = add_unique(out, n, max, c->module);
	}
	for (size_t i = 0; i < db->naliases; i++) {
		const struct kmod_alias *a = &db->aliases[i];
		/* the literal prefix rules out almost every line cheaply */
		if (strncmp(a->pattern, alias, a->prefix) != 0)
			continue;
		if (fnmatch(a->pattern, alias, 0) == 0
		    && !(skip_blacklisted && kmod_is_blacklisted(db, a->module)))
			n = add_unique(out, n, max, a->module);
	}
	return n;
}

static int append(char *buf, size_t size, size_t *used, const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return 0;
	if (*used + (*used ? 1 : 0) + n + 1 > size)
		return E2BIG;
	if (*used)
		buf[(*used)++] = ' ';
	memcpy(buf + *used, s, n + 1);
	*used += n;
	return 0;
}

int kmod_params(struct kmod_db *db, const char *name, const char *extra,
                char *buf, size_t size)
{
	char n[KMOD_NAME_MAX];
	size_t used = 0;
	int err;

	buf[0] = '\0';
	if (kmod_normalise(n, sizeof n, name) == 0 && kmod_open(db) == 0)
		/* modprobe.d entries come before the command line's (parse order) */
		for (size_t i = 0; i < db->nconf; i++)
			if (db->conf[i].kind == 'o' && strcmp(db->conf[i].module, n) == 0
			    && (err = append(buf, size, &used, db->conf[i].arg)))
				return err;
	/* the caller's parameters last: the kernel lets the last one win */
	return extra ? append(buf, size, &used, extra) : 0;
}

int kmod_path(struct kmod_db *db, const char *rel, char *buf, size_t size)
{
	char root[256];
	int n;

	if (rel[0] == '/')
		n = snprintf(buf, size, "%s", rel);
	else
		n = snprintf(buf, size, "%s/%s", kmod_root(db, root, sizeof root), rel);
	return n < 0 || (size_t)n >= size ? ENAMETOOLONG : 0;
}

/* Depth-first: a module's dependencies (last listed first) before it. */
static int visit(struct kmod_db *db, const struct kmod_mod *m,
                 const struct kmod_mod **list, int *n, int depth,
                 char *why, size_t whysize)
{
	const char *deps[DEPS_MAX], *d = m->deps;
	int err;

	for (int i = 0; i < *n; i++)
		if (list[i] == m)
			return 0;
	if (depth > DEPTH_MAX) {
		snprintf(why, whysize, "dependency loop at %s", m->name);
		return ELOOP;
	}
	if (m->ndeps > DEPS_MAX) {
		snprintf(why, whysize, "%s has too many dependencies", m->name);
		return E2BIG;
	}
	for (int i = 0; i < m->ndeps; i++, d += strlen(d) + 1)
		deps[i] = d;
	for (int i = m->ndeps - 1; i >= 0; i--) {
		char dn[KMOD_NAME_MAX];
		const struct kmod_mod *dm;

		if (name_of_path(dn, sizeof dn, deps[i]) || kmod_is_builtin(db, dn))
			continue;
		if (!(dm = kmod_find(db, dn))) {
			snprintf(why, whysize, "dependency %s of %s not in modules.dep", dn, m->name);
			return ENOENT;
		}
		if ((err = visit(db, dm, list, n, depth + 1, why, whysize)))
			return err;
	}
	if (*n >= KMOD_LIST_MAX) {
		snprintf(why, whysize, "more than %d modules to load", KMOD_LIST_MAX);
		return E2BIG;
	}
	list[(*n)++] = m;
	return 0;
}

/* Modules name stands for: itself, or the (non-blacklisted) modules its
 * aliases match. Returns the count, 0 with *blacklisted when only
 * blacklisted ones matched. Built-in modules are included. */
static int targets(struct kmod_db *db, const char *name, const char **out,
                   int max, int *blacklisted)
{
	char n[KMOD_NAME_MAX];
	int count;

	*blacklisted = 0;
	if (kmod_normalise(n, sizeof n, name) == 0 && kmod_find(db, n)) {
		out[0] = kmod_find(db, n)->name;
		return 1;
	}
	if (kmod_normalise(n, sizeof n, name) == 0 && kmod_is_builtin(db, n)) {
		out[0] = name;
		return 1;
	}
	count = kmod_lookup(db, name, out, max, 1);
	if (count == 0)
		*blacklisted = kmod_lookup(db, name, out, max, 0) > 0;
	return count;
}

/* why names what is missing; the caller's message ends in strerror(ENOENT). */
static int not_found(struct kmod_db *db, const char *name, int blacklisted,
                     char *why, size_t whysize)
{
	char root[256];

	if (blacklisted)
		snprintf(why, whysize, "%s: only blacklisted modules match", name);
	else if (db->dep_err)
		snprintf(why, whysize, "%s: no modules.dep in %s", name,
		         kmod_root(db, root, sizeof root));
	else
		snprintf(why, whysize, "%s: no such module or alias", name);
	return ENOENT;
}

int kmod_resolve(struct kmod_db *db, const char *name,
                 const struct kmod_mod **list, int *n, int *blacklisted,
                 char *why, size_t whysize)
{
	const char *names[KMOD_LIST_MAX];
	int count, err;

	*n = 0;
	if ((err = kmod_open(db))) {
		snprintf(why, whysize, "reading the module index");
		return err;
	}
	count = targets(db, name, names, KMOD_LIST_MAX, blacklisted);
	if (count == 0)
		return not_found(db, name, *blacklisted, why, whysize);
	for (int i = 0; i < count; i++) {
		const struct kmod_mod *m = kmod_find(db, names[i]);

		if (kmod_is_builtin(db, names[i]))
			continue;
		if (!m) {
			snprintf(why, whysize, "%s: module %s not in modules.dep", name, names[i]);
			return ENOENT;
		}
		if ((err = visit(db, m, list, n, 0, why, whysize)))
			return err;
	}
	return 0;
}

int kmod_insert(const char *file, const char *params)
{
	size_t n = strlen(file);
	int fd, err = 0, flags = 0;

	if ((n > 3 && strcmp(file + n - 3, ".xz") == 0)
	    || (n > 4 && strcmp(file + n - 4, ".zst") == 0)
	    || (n > 3 && strcmp(file + n - 3, ".gz") == 0))
		flags |= MODULE_INIT_COMPRESSED_FILE;   /* the kernel decompresses */
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, params ? params : "", flags) < 0)
		err = errno;
	close(fd);
	return err;
}

int kmod_load(struct kmod_db *db, const char *name, const char *extra,
              enum kmod_how *how, char *ctx, size_t ctxsize)
{
	const char *names[KMOD_LIST_MAX];
	int count, blacklisted, err, loaded = 0, already = 0;

	*how = KMOD_BUILTIN;
	if ((err = kmod_open(db))) {
		snprintf(ctx, ctxsize, "load %s: reading the module index", name);
		return err;
	}
	count = targets(db, name, names, KMOD_LIST_MAX, &blacklisted);
	if (count == 0 && blacklisted) {
		*how = KMOD_BLACKLISTED;
		return 0;
	}
	if (count == 0) {
		char why[256];
		not_found(db, name, 0, why, sizeof why);
		snprintf(ctx, ctxsize, "load %s", why);
		return ENOENT;
	}
	for (int t = 0; t < count; t++) {
		const struct kmod_mod *list[KMOD_LIST_MAX], *m;
		char why[256], params[KMOD_PARAMS_MAX], file[512];
		int n = 0;

		if (kmod_is_builtin(db, names[t]))
			continue;
		if (kmod_is_loaded(names[t])) {
			already = 1;
			continue;
		}
		if (!(m = kmod_find(db, names[t]))) {
			snprintf(ctx, ctxsize, "load %s: module %s not in modules.dep", name, names[t]);
			return ENOENT;
		}
		if ((err = visit(db, m, list, &n, 0, why, sizeof why))) {
			snprintf(ctx, ctxsize, "load %s: %s", name, why);
			return err;
		}
		for (int i = 0; i < n; i++) {
			if (kmod_is_loaded(list[i]->name)) {
				already |= list[i] == m;
				continue;
			}
			if ((err = kmod_params(db, list[i]->name, list[i] == m ? extra : NULL,
			                       params, sizeof params))) {
				snprintf(ctx, ctxsize, "load %s: parameters of %s", name, list[i]->name);
				return err;
			}
			if ((err = kmod_path(db, list[i]->path, file, sizeof file))) {
				snprintf(ctx, ctxsize, "load %s: %s", name, list[i]->path);
				return err;
			}
			err = kmod_insert(file, params);
			if (err == EEXIST) {    /* lost a race with another loader */
				already |= list[i] == m;
				continue;
			}
			if (err) {
				snprintf(ctx, ctxsize, "load %s: finit_module %s", name, file);
				return err;
			}
			loaded |= list[i] == m;
		}
	}
	*how = loaded ? KMOD_LOADED : already ? KMOD_ALREADY : KMOD_BUILTIN;
	return 0;
}
