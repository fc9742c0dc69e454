/* examples/doorbell/retention.c: the --retain-days sweep (retention.h). */
#include "retention.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int db_retention_sweep(const char *dir, int days, time_t now) {
  if (!dir || days <= 0) return 0;
  DIR *d = opendir(dir);
  if (!d) return -1;
  int fd = dirfd(d), n = 0;
  time_t limit = now - (time_t)days * 86400;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, "visit-", 6) != 0) continue;
    struct stat sb;
    if (fstatat(fd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode)) continue;
    if (sb.st_mtime < limit && unlinkat(fd, e->d_name, 0) == 0) n++;
  }
  closedir(d);
  return n;
}
