/* tests/doorbell/db_test_util.h: helpers of the doorbell tests: running the
 * programs, reading event lines, pulling fields out of one JSON line. */
#ifndef ODAI_TESTS_DOORBELL_UTIL_H
#define ODAI_TESTS_DOORBELL_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Run argv (argv[0] a path), stdout/stderr to the test's, with extra
 * environment entries (NULL-terminated, may be NULL). Returns the exit
 * status, 128+signal, or -1 when it could not start. */
int dbt_run(char *const argv[], char *const extra_env[]);
/* Start without waiting; returns the pid (-1 on failure). */
int dbt_spawn(char *const argv[], char *const extra_env[]);
int dbt_wait(int pid);

/* All lines of a file (NULL-terminated array, free with dbt_lines_free). */
char **dbt_read_lines(const char *path, size_t *n);
void dbt_lines_free(char **lines);
/* The whole file (NUL-terminated) or NULL. */
char *dbt_read_file(const char *path, size_t *size);

/* The string value of "key" in a one-line JSON object (no nesting of the
 * key), into buf; false when absent or not a string. */
bool dbt_json_str(const char *line, const char *key, char *buf, size_t cap);
/* The number value of "key"; false when absent. */
bool dbt_json_num(const char *line, const char *key, double *out);

/* mkdtemp under $TMPDIR or /tmp ("odai-doorbell-XXXXXX"); path in buf. */
bool dbt_tmpdir(char *buf, size_t cap);
/* rm -rf */
void dbt_rmrf(const char *path);

/* Build a gallery at `gallery` from shared/testdata/faces/gallery/<name>/
 * with odai-faces enroll; false on failure. */
bool dbt_make_gallery(const char *odai_faces, const char *shared_dir, const char *gallery);

#endif
