/* tests/inference/test_kernels_neon.c: the NEON kernels against the
 * reference kernels (kernel_cases.h: same cases and tolerance as
 * test_kernels.c, fewer of them: this runs under qemu-aarch64, ~140x slower).
 * A plain program (no cmocka for arm64): exit status 0 = pass. */
#include "kernel_cases.h"

static int report(const char *name, int bad) {
  printf("%-8s %s (%d mismatches)\n", name, bad ? "FAIL" : "ok", bad);
  return bad != 0;
}

int main(void) {
  if (odai_isa_best() != ODAI_ISA_NEON) {
    printf("NEON not detected (best level %s): the neon tests cannot run\n",
           odai_isa_name(odai_isa_best()));
    return 1;
  }
  const odai_isa isa = ODAI_ISA_NEON;
  int failed = 0;
  failed += report("conv2d", check_conv2d(isa, 60, 11));
  failed += report("fc", check_fc(isa, 20, 12));
  failed += report("dwconv", check_dwconv(isa, 80, 13));
  failed += report("binary", check_binary(isa, 80, 14));
  failed += report("unary", check_unary(isa, 15));
  failed += report("pool", check_pool(isa, 40, 16));
  failed += report("resize", check_resize(isa, 40, 17));
  failed += report("tconv", check_tconv(isa, 30, 18));
  /* plan picks NEON by default */
  odai_kernels_set_isa(isa);
  odai_conv2d_params p = {1, 4, 4, 8, 4, 4, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -INFINITY, INFINITY, 0, 0, 0, 0, 0, 0};
  odai_conv2d_op op;
  if (odai_conv2d_plan(&p, &op, NULL) != ODAI_OK || op.isa != ODAI_ISA_NEON) {
    printf("conv2d plan did not choose neon\n");
    failed++;
  }
  printf("%s\n", failed ? "FAILED" : "all NEON kernel checks passed");
  return failed ? 1 : 0;
}
