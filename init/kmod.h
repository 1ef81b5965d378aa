/* kmod.h: kernel modules without modprobe or libkmod (pure C, no Lua).
 * modules.dep, modules.alias, modules.builtin(.alias) and modprobe.d are
 * parsed once into C memory (bounded, freed by kmod_flush); names and
 * aliases resolve to an ordered load list; finit_module(2) loads it. */
#ifndef LUAINIT_KMOD_H
#define LUAINIT_KMOD_H

#include <stddef.h>

#define KMOD_NAME_MAX   64      /* the kernel's MODULE_NAME_LEN is 56 */
#define KMOD_PARAMS_MAX 4096    /* all parameters of one module */
#define KMOD_LIST_MAX   256     /* modules in one resolved load list */
#define KMOD_CONFDIRS   8

/* One modules.dep line. */
struct kmod_mod {
	const char *name;       /* normalised: '-' -> '_' */
	const char *path;       /* as in modules.dep, usually relative to root */
	const char *deps;       /* ndeps NUL-separated paths; the last loads first */
	int ndeps;
};

struct kmod_alias {
	const char *pattern;    /* fnmatch(3) pattern */
	const char *module;     /* normalised module name */
	size_t prefix;          /* literal bytes before the first wildcard */
};

struct kmod_conf {              /* one modprobe.d or kernel command line item */
	char kind;              /* 'o' options, 'b' blacklist, 'a' alias */
	const char *module;
	const char *arg;        /* options or alias pattern */
};

struct kmod_buf;

/* What the index is read from. Made whole in a struct of its own, each
 * setting checked as it is made, and put in effect by kmod_configure: a
 * setting that does not fit changes nothing of the others. */
struct kmod_settings {
	char root[256];                 /* "" -> /lib/modules/<uname -r> */
	char confdirs[KMOD_CONFDIRS][128];
	int nconfdirs;                  /* -1: the default directories */
	char cmdline[4096];             /* also /proc/cmdline, once read */
	int has_cmdline;                /* 0: read /proc/cmdline */
};

struct kmod_db {
	struct kmod_settings set;       /* kept across kmod_flush */
	/* caches, filled on first use */
	int loaded;
	int dep_err;                    /* errno reading modules.dep, or 0 */
	int builtin_err;                /* errno reading modules.builtin, or 0 */
	struct kmod_mod *mods;          /* sorted by name */
	size_t nmods;
	struct kmod_alias *aliases;     /* file order */
	size_t naliases;
	const char **builtin;           /* sorted names */
	size_t nbuiltin;
	struct kmod_conf *conf;
	size_t nconf;
	struct kmod_buf *bufs;          /* every allocation, for kmod_flush */
	size_t bytes;                   /* memory held by the caches */
};

/* Outcome of kmod_load. */
enum kmod_how { KMOD_LOADED, KMOD_ALREADY, KMOD_BUILTIN, KMOD_BLACKLISTED };

/* Zero db and select the defaults. */
void kmod_init(struct kmod_db *db);
/* Free the caches (settings stay); returns the bytes released. */
size_t kmod_flush(struct kmod_db *db);
/* The default settings: /lib/modules/<uname -r>, the usual modprobe.d
 * directories, /proc/cmdline. */
void kmod_settings_init(struct kmod_settings *s);
/* Module directory ("" or NULL: the default). 0 or ENAMETOOLONG. */
int kmod_settings_root(struct kmod_settings *s, const char *root);
/* modprobe.d directories, first wins for equal file names (dirs NULL:
 * the defaults). 0, E2BIG (more than KMOD_CONFDIRS: dirs is not read) or
 * ENAMETOOLONG (a path). */
int kmod_settings_confdirs(struct kmod_settings *s, const char *const *dirs, int n);
/* Kernel command line (NULL: /proc/cmdline). 0 or E2BIG. */
int kmod_settings_cmdline(struct kmod_settings *s, const char *cmdline);
/* Put s in effect; drops the caches. */
void kmod_configure(struct kmod_db *db, const struct kmod_settings *s);
/* The module directory in effect. */
const char *kmod_root(struct kmod_db *db, char *buf, size_t size);
/* Parse everything not parsed yet. Returns 0 or an errno value (a missing
 * file is not an error: the table is empty). */
int kmod_open(struct kmod_db *db);
/* Drop the caches if modules.dep was missing when they were filled and
 * exists now (a root mounted late). Call between requests only: it
 * invalidates every pointer into the index. */
void kmod_refresh(struct kmod_db *db);

/* dst = src with '-' -> '_' and any ".ko*" suffix and directory removed.
 * Returns 0, or ENAMETOOLONG/EINVAL. */
int kmod_normalise(char *dst, size_t size, const char *src);
const struct kmod_mod *kmod_find(struct kmod_db *db, const char *name);
int kmod_is_builtin(struct kmod_db *db, const char *name);
int kmod_is_blacklisted(struct kmod_db *db, const char *name);
/* Loaded (live, coming or going) according to /sys/module or /proc/modules. */
int kmod_is_loaded(const char *name);
/* Module names whose aliases match alias, unique, modprobe.d aliases first.
 * Blacklisted modules are left out when skip_blacklisted. Returns how many
 * names (at most max were stored). */
int kmod_lookup(struct kmod_db *db, const char *alias, const char **out,
                int max, int skip_blacklisted);
/* Parameters for name: modprobe.d options, then name.param= from the
 * kernel command line, then extra. Returns 0 or E2BIG. */
int kmod_params(struct kmod_db *db, const char *name, const char *extra,
                char *buf, size_t size);
/* Absolute file name of a modules.dep path. 0 or ENAMETOOLONG. */
int kmod_path(struct kmod_db *db, const char *rel, char *buf, size_t size);

/* Ordered load list for a module name or an alias: dependencies first,
 * each module once; built-in modules are left out. *n is the count.
 * Returns 0, ENOENT (not a module, no alias matches; *blacklisted is set
 * when only blacklisted modules matched), E2BIG, or another errno.
 * On error, why (if not NULL) says what was missing. */
int kmod_resolve(struct kmod_db *db, const char *name,
                 const struct kmod_mod **list, int *n, int *blacklisted,
                 char *why, size_t whysize);

/* finit_module(2) on file with params; compressed files get
 * MODULE_INIT_COMPRESSED_FILE. Returns 0 or an errno value. */
int kmod_insert(const char *file, const char *params);

/* modprobe: resolve name (module or alias) and load each module not yet
 * loaded, dependencies first; extra parameters go to the named module(s)
 * only. Returns 0 with *how set, or an errno value with ctx naming the
 * step that failed ("finit_module /lib/modules/.../x.ko"). */
int kmod_load(struct kmod_db *db, const char *name, const char *extra,
              enum kmod_how *how, char *ctx, size_t ctxsize);

#endif
