/* End to end through the shipped configs (the .pbtxt files in configs/), as odai-run
 * runs them: face detection (short and full range) on the six reference
 * photos against MediaPipe's own detections (IoU >= 0.9 per face,
 * keypoints within 2% of the width, same faces above the threshold),
 * person detection sanity (astronaut: one, coffee: none, vtest.avi: several
 * people) and selfie segmentation with background blur (image written). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "odai/image.h"
#include "odai/image_io.h"

#include "e2e_util.h"

static const char *const k_photos[] = {"astronaut.png", "messi5.jpg", "fruits.jpg",
                                       "chelsea.png",   "baboon.jpg", "coffee.png"};

static void tmp_dir(char *out, size_t n, const char *tag) {
  snprintf(out, n, "/tmp/odai_e2e_%s_%d", tag, (int)getpid());
  mkdir(out, 0700);
}

static void config_path(char *out, size_t n, const char *name) {
  snprintf(out, n, "%s/configs/%s", env_dir("ODAI_SOURCE_DIR"), name);
}

static void face_config_vs_mediapipe(const char *config, const char *ref_model) {
  char cfg[1024], dir[256], jl[512];
  config_path(cfg, sizeof cfg, config);
  tmp_dir(dir, sizeof dir, ref_model);
  float worst_iou = 1, worst_kp = 0;
  int faces = 0;
  for (size_t i = 0; i < sizeof k_photos / sizeof k_photos[0]; i++) {
    char img[1024];
    media_path(img, sizeof img, k_photos[i]);
    snprintf(jl, sizeof jl, "%s/%s.jsonl", dir, k_photos[i]);
    unlink(jl);
    const char *sides[] = {"input_video_path", img, "detections_path", jl, NULL};
    run_config(cfg, NULL, sides);
    jframe *fr = calloc(4, sizeof *fr);
    int nf = read_jsonl(jl, fr, 4);
    assert_int_equal(nf, 1);
    assert_string_equal(fr[0].source, k_photos[i]);
    ref_det ref[8];
    int ref_w = 0;
    int nref = load_ref(ref_model, k_photos[i], ref, 8, &ref_w);
    printf("%s %s: %d faces (MediaPipe %d)\n", config, k_photos[i], fr[0].n, nref);
    assert_int_equal(fr[0].n, nref);
    for (int k = 0; k < nref; k++) {
      const jdet *d = &fr[0].d[k];
      assert_string_equal(d->label, "face");
      float o = box_iou(d->xmin, d->ymin, d->width, d->height, ref[k].xmin, ref[k].ymin, ref[k].width,
                        ref[k].height);
      float kmax = 0;
      assert_int_equal(d->n_kp, 6);
      for (int q = 0; q < 6; q++) {
        /* normalised distance, as tests/vision does */
        float dx = d->kp[q][0] - ref[k].kp[q][0], dy = d->kp[q][1] - ref[k].kp[q][1];
        float e = sqrtf(dx * dx + dy * dy);
        if (e > kmax) kmax = e;
      }
      printf("  face %d: score %.3f (ref %.3f) IoU %.4f, keypoint error %.4f of width\n", k, d->score,
             ref[k].score, o, kmax);
      if (o < worst_iou) worst_iou = o;
      if (kmax > worst_kp) worst_kp = kmax;
      faces++;
      assert_true(o >= 0.9f);
      assert_true(kmax <= 0.02f);
    }
    free(fr);
    unlink(jl);
  }
  rmdir(dir);
  printf("%s: %d faces over %zu photos; worst IoU %.4f, worst keypoint error %.4f of width\n", config, faces,
         sizeof k_photos / sizeof k_photos[0], worst_iou, worst_kp);
}

static void test_face_short_range_config(void **state) {
  (void)state;
  face_config_vs_mediapipe("face_detection_short_range.pbtxt", "short");
}

static void test_face_full_range_config(void **state) {
  (void)state;
  face_config_vs_mediapipe("face_detection_full_range.pbtxt", "full");
}

/* A directory of photos in, a directory of annotated images and one JSON
 * line per photo (named by "source") out, as the README's command does. */
static void test_face_config_on_photo_dir(void **state) {
  (void)state;
  char cfg[1024], in[256], out[256], jl[512];
  config_path(cfg, sizeof cfg, "face_detection_full_range.pbtxt");
  tmp_dir(in, sizeof in, "photos");
  tmp_dir(out, sizeof out, "annotated");
  const size_t n = sizeof k_photos / sizeof k_photos[0];
  for (size_t i = 0; i < n; i++) {
    char src[1024], dst[512];
    media_path(src, sizeof src, k_photos[i]);
    snprintf(dst, sizeof dst, "%s/%s", in, k_photos[i]);
    unlink(dst);
    assert_int_equal(symlink(src, dst), 0);
  }
  snprintf(jl, sizeof jl, "%s/faces.jsonl", out);
  const char *sides[] = {"input_video_path", in, "output_video_path", out, "detections_path", jl, NULL};
  run_config(cfg, NULL, sides);
  jframe *fr = calloc(n + 1, sizeof *fr);
  assert_int_equal(read_jsonl(jl, fr, (int)n + 1), (int)n);
  int seen = 0;
  for (size_t i = 0; i < n; i++) {
    ref_det ref[8];
    int rw;
    int k;
    for (k = 0; k < (int)n; k++)
      if (strcmp(fr[k].source, k_photos[i]) == 0) break;
    if (k == (int)n) fail_msg("no line for %s", k_photos[i]);
    assert_int_equal(fr[k].n, load_ref("full", k_photos[i], ref, 8, &rw));
    seen++;
    /* one annotated image per photo, named after it */
    char base[64], img[512];
    snprintf(base, sizeof base, "%s", k_photos[i]);
    *strrchr(base, '.') = 0;
    snprintf(img, sizeof img, "%s/%s.jpg", out, base);
    if (access(img, R_OK) != 0) snprintf(img, sizeof img, "%s/%s", out, k_photos[i]);
    if (access(img, R_OK) != 0) fail_msg("no annotated image for %s in %s", k_photos[i], out);
    unlink(img);
    char link[512];
    snprintf(link, sizeof link, "%s/%s", in, k_photos[i]);
    unlink(link);
  }
  printf("photo directory: %d lines, one per photo, face counts as MediaPipe's\n", seen);
  free(fr);
  unlink(jl);
  rmdir(in);
  rmdir(out);
}

static int run_person(const char *media, jframe *fr, int max, int max_frames) {
  char cfg[1024], dir[256], jl[512], img[1024];
  config_path(cfg, sizeof cfg, "person_detection.pbtxt");
  media_path(img, sizeof img, media);
  tmp_dir(dir, sizeof dir, "person");
  snprintf(jl, sizeof jl, "%s/people.jsonl", dir);
  unlink(jl);
  const char *sides[] = {"input_video_path", img, "detections_path", jl, NULL};
  if (max_frames > 0) {
    /* the shipped config with a frame limit on its source */
    char *text = read_file(cfg, NULL);
    if (!text) fail_msg("cannot read %s", cfg);
    const char *anchor = "output_stream: \"FILE_NAME:source_name\"\n";
    char *at = strstr(text, anchor);
    if (!at) fail_msg("%s: VideoSourceCalculator node not found", cfg);
    size_t pre = (size_t)(at - text) + strlen(anchor);
    char *t2 = malloc(strlen(text) + 128);
    memcpy(t2, text, pre);
    int w = sprintf(t2 + pre, "  options { max_frames: %d }\n", max_frames);
    strcpy(t2 + pre + w, text + pre);
    run_config(cfg, t2, sides);
    free(t2);
    free(text);
  } else {
    run_config(cfg, NULL, sides);
  }
  int n = read_jsonl(jl, fr, max);
  unlink(jl);
  rmdir(dir);
  return n;
}

static void test_person_detection_photos(void **state) {
  (void)state;
  jframe *fr = calloc(2, sizeof *fr);
  assert_int_equal(run_person("astronaut.png", fr, 2, 0), 1);
  printf("astronaut: %d person(s), score %.3f\n", fr[0].n, fr[0].n ? fr[0].d[0].score : 0);
  assert_int_equal(fr[0].n, 1);
  assert_string_equal(fr[0].d[0].label, "person");
  assert_int_equal(fr[0].d[0].n_kp, 4);
  /* the person is centred horizontally in the left two thirds */
  float cx = fr[0].d[0].xmin + fr[0].d[0].width / 2;
  assert_true(cx > 0.2f && cx < 0.7f);
  /* the body box (from the hips and the point above the head), not the
   * detector's face-sized box: it spans most of the image height */
  printf("astronaut box: %.3f %.3f %.3f %.3f\n", fr[0].d[0].xmin, fr[0].d[0].ymin, fr[0].d[0].width,
         fr[0].d[0].height);
  assert_true(fr[0].d[0].height > 0.8f);
  assert_true(fr[0].d[0].ymin < 0.1f);
  assert_int_equal(run_person("coffee.png", fr, 2, 0), 1);
  printf("coffee: %d person(s)\n", fr[0].n);
  assert_int_equal(fr[0].n, 0);
  free(fr);
}

/* vtest.avi: people walking far from the camera. The pose detector sees a
 * 224x224 letterbox of the 768x576 frame, where most of them are ~25 px
 * tall, so it finds one person in some frames (as MediaPipe's model does);
 * over the whole video it must find people in many frames and at several
 * places (different people). */
static void test_person_detection_video(void **state) {
  (void)state;
  enum { MAXF = 1000 };
  jframe *fr = calloc(MAXF, sizeof *fr);
  int n = run_person("vtest.avi", fr, MAXF, 0);
  assert_true(n > 700);
  int with = 0, total = 0;
  float xlo = 1, xhi = 0;
  long long prev = -1;
  for (int i = 0; i < n; i++) {
    assert_true(fr[i].ts > prev); /* one line per frame, in order */
    prev = fr[i].ts;
    with += fr[i].n > 0;
    total += fr[i].n;
    for (int k = 0; k < fr[i].n; k++) {
      assert_string_equal(fr[i].d[k].label, "person");
      assert_true(fr[i].d[k].score >= 0.5f && fr[i].d[k].score <= 1.0f);
      float cx = fr[i].d[k].xmin + fr[i].d[k].width / 2;
      if (cx < xlo) xlo = cx;
      if (cx > xhi) xhi = cx;
    }
  }
  printf("vtest.avi: %d frames, %d with a person, %d detections, centres x in [%.2f, %.2f]\n", n, with, total,
         xlo, xhi);
  assert_true(with >= 50);
  assert_true(xhi - xlo > 0.3f);
  free(fr);
}

static void test_selfie_segmentation_config(void **state) {
  (void)state;
  char cfg[1024], dir[256], img[1024], out[512];
  config_path(cfg, sizeof cfg, "selfie_segmentation.pbtxt");
  media_path(img, sizeof img, "messi5.jpg");
  tmp_dir(dir, sizeof dir, "selfie");
  const char *sides[] = {"input_video_path", img, "output_video_path", dir, NULL};
  run_config(cfg, NULL, sides);
  snprintf(out, sizeof out, "%s/messi5.jpg", dir);
  odai_image *a = NULL, *b = NULL;
  odai_error err;
  if (odai_image_read_file(out, ODAI_PIXEL_RGB8, &b, &err)) fail_msg("no output image %s: %s", out, err.message);
  assert_int_equal(odai_image_read_file(img, ODAI_PIXEL_RGB8, &a, &err), ODAI_OK);
  assert_int_equal(odai_image_width(a), odai_image_width(b));
  assert_int_equal(odai_image_height(a), odai_image_height(b));
  /* The background (top-left corner: stadium) is blurred, so it changes;
   * the player's shirt (centre) stays close to the input. */
  double bg = 0, fg = 0;
  int nbg = 0, nfg = 0;
  for (int y = 0; y < odai_image_height(a); y++)
    for (int x = 0; x < odai_image_width(a); x++) {
      const uint8_t *pa = odai_image_cdata(a, 0) + (size_t)y * odai_image_stride(a, 0) + x * 3;
      const uint8_t *pb = odai_image_cdata(b, 0) + (size_t)y * odai_image_stride(b, 0) + x * 3;
      double d = fabs((double)pa[0] - pb[0]) + fabs((double)pa[1] - pb[1]) + fabs((double)pa[2] - pb[2]);
      if (x < 120 && y < 80) {
        bg += d;
        nbg++;
      } else if (x > 220 && x < 270 && y > 150 && y < 200) {
        fg += d;
        nfg++;
      }
    }
  printf("selfie blur: mean change %.2f in the background, %.2f on the person\n", bg / nbg, fg / nfg);
  assert_true(bg / nbg > 2 * (fg / nfg));
  odai_image_unref(a);
  odai_image_unref(b);
  unlink(out);
  rmdir(dir);
}

/* No argument: all but the whole-video test, which ctest runs as
 * test_e2e_person_video (labels media, slow) with the argument "*video*". */
int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_face_short_range_config), cmocka_unit_test(test_face_full_range_config),
      cmocka_unit_test(test_face_config_on_photo_dir),
      cmocka_unit_test(test_person_detection_photos), cmocka_unit_test(test_person_detection_video),
      cmocka_unit_test(test_selfie_segmentation_config),
  };
  /* ODAI_TEST_FILTER=pattern runs a subset (cmocka's test filter) */
  if (argc > 1)
    cmocka_set_test_filter(argv[1]);
  else if (getenv("ODAI_TEST_FILTER"))
    cmocka_set_test_filter(getenv("ODAI_TEST_FILTER"));
  else
    cmocka_set_skip_filter("*video*");
  return cmocka_run_group_tests(tests, NULL, NULL);
}
