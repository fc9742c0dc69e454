/* examples/odai-faces/odai_faces.c: the odai-faces command: manage a face
 * gallery (keygen, create, list, remove, rename, export, import, threshold,
 * calibrate) through the public gallery API, and enroll/identify/verify/
 * reject faces of photos through odai's face graph (face_graph.c: the same
 * calculators as configs/face_recognition.pbtxt). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face_graph.h"
#include "odai/gallery.h"

static const char *k_usage =
    "usage: odai-faces [--key KEYFILE] [--wait MS] [--json] COMMAND ...\n"
    "  keygen KEYFILE                      new random 32-byte key file (mode 0600)\n"
    "  create GALLERY (--model FILE.tflite | --model-sha256 HEX) [--dim N]\n"
    "                                      new empty gallery (dim 192 by default)\n"
    "  list GALLERY                        identities with their embedding counts\n"
    "  remove GALLERY NAME                 forget an identity\n"
    "  rename GALLERY OLD NEW\n"
    "  export GALLERY NAME FILE [--to-key KEYFILE]   one identity into its own file\n"
    "                                      (encrypted with --key unless --to-key is given)\n"
    "  import GALLERY FILE [--from-key KEYFILE]      add the identities of such a file\n"
    "                                      (read with --key unless --from-key is given)\n"
    "  threshold GALLERY [VALUE]           show or set the decision threshold\n"
    "  calibrate GALLERY [--far RATE] [--dry-run]\n"
    "                                      genuine/impostor similarities of the enrolled\n"
    "                                      faces; proposes (and stores) a threshold for\n"
    "                                      the false-accept rate RATE (default 0.001)\n"
    "  enroll GALLERY NAME IMAGE... [--largest]\n"
    "                                      add the face of each photo to NAME (the\n"
    "                                      gallery is created when missing); a photo\n"
    "                                      with no face, or several without --largest,\n"
    "                                      is refused and nothing is stored\n"
    "  identify GALLERY IMAGE...           each face: name or unknown, similarity, box\n"
    "  verify IMAGE1 IMAGE2 [--threshold T | --gallery GALLERY]\n"
    "                                      similarity of the largest faces, same/different\n"
    "                                      at T (default the gallery's, else 0.55)\n"
    "  reject GALLERY NAME IMAGE [--largest]   store the face as \"not NAME\"\n"
    "--key: the gallery's key file (encrypted galleries); --wait: how long a\n"
    "writer waits for another one to finish (ms, default 2000); --json: JSON\n"
    "output (list, identify, verify); --model FILE: the MobileFaceNet model\n"
    "(default MobileFaceNet.tflite in the model directories).\n"
    "Exit status: 0 done, 1 failed, 2 usage error.\n";

typedef struct cli {
  const char *key;
  const char *model;
  int wait_ms;
  bool json;
} cli;

static int fail(const char *what, const odai_error *err) {
  /* Library messages about a file usually name it already. */
  if (what && strstr(err->message, what))
    fprintf(stderr, "odai-faces: %s\n", err->message);
  else
    fprintf(stderr, "odai-faces: %s: %s\n", what, err->message);
  return 1;
}

static int usage(const char *msg) {
  if (msg) fprintf(stderr, "odai-faces: %s\n", msg);
  fputs(k_usage, stderr);
  return 2;
}

static int open_gallery(const cli *c, const char *path, bool writable, odai_gallery **g) {
  odai_gallery_options o = {.key_path = c->key, .read_only = !writable,
                            .lock_timeout_ms = c->wait_ms};
  odai_error err;
  if (odai_gallery_open(path, &o, g, &err) != ODAI_OK) return fail(path, &err);
  return 0;
}

static int save_close(odai_gallery *g, const char *path) {
  odai_error err;
  int rc = 0;
  if (odai_gallery_save(g, &err) != ODAI_OK) rc = fail(path, &err);
  odai_gallery_close(g);
  return rc;
}

/* Print a string as a JSON string literal. */
static void json_str(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      printf("\\%c", *s);
    else
      putchar(*s);
  }
  putchar('"');
}

static int cmd_keygen(int argc, char **argv) {
  if (argc != 1) return usage("keygen KEYFILE");
  odai_error err;
  if (odai_gallery_keygen(argv[0], &err) != ODAI_OK) return fail("keygen", &err);
  printf("key written to %s (mode 0600); keep it apart from the gallery\n", argv[0]);
  return 0;
}

static int model_sha256_of_file(const char *path, uint8_t id[ODAI_MODEL_ID_SIZE]) {
  odai_error err;
  if (odai_model_id_of_file(path, id, &err) != ODAI_OK) return fail("--model", &err);
  return 0;
}

static int cmd_create(const cli *c, int argc, char **argv) {
  if (argc < 1) return usage("create GALLERY --model FILE | --model-sha256 HEX");
  const char *path = argv[0], *model = NULL, *hex = NULL;
  long dim = 192;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--model") && i + 1 < argc)
      model = argv[++i];
    else if (!strcmp(argv[i], "--model-sha256") && i + 1 < argc)
      hex = argv[++i];
    else if (!strcmp(argv[i], "--dim") && i + 1 < argc)
      dim = strtol(argv[++i], NULL, 10);
    else
      return usage("create: unknown argument");
  }
  if (!model == !hex) return usage("create: give one of --model or --model-sha256");
  if (dim <= 0 || dim > ODAI_EMBEDDING_MAX_DIM) return usage("create: bad --dim");
  uint8_t id[ODAI_MODEL_ID_SIZE];
  odai_error err;
  if (hex && odai_model_id_from_hex(hex, id, &err) != ODAI_OK) return fail("--model-sha256", &err);
  if (model && model_sha256_of_file(model, id) != 0) return 1;
  FILE *f = fopen(path, "rb");
  if (f) {
    fclose(f);
    fprintf(stderr, "odai-faces: %s already exists\n", path);
    return 1;
  }
  odai_gallery_options o = {.key_path = c->key, .create_if_missing = true, .model_id = id,
                            .dim = (size_t)dim, .lock_timeout_ms = c->wait_ms};
  odai_gallery *g = NULL;
  if (odai_gallery_open(path, &o, &g, &err) != ODAI_OK) return fail(path, &err);
  odai_gallery_close(g);
  printf("created %s (%ld-d%s)\n", path, dim, c->key ? ", encrypted" : "");
  return 0;
}

static int cmd_list(const cli *c, int argc, char **argv) {
  if (argc != 1) return usage("list GALLERY");
  odai_gallery *g;
  if (open_gallery(c, argv[0], false, &g)) return 1;
  odai_gallery_identity_info *l;
  size_t n;
  odai_error err;
  int rc = 0;
  if (odai_gallery_list(g, &l, &n, &err) != ODAI_OK) {
    rc = fail(argv[0], &err);
  } else if (c->json) {
    printf("{\"threshold\": %.4f, \"identities\": [", (double)odai_gallery_threshold(g));
    for (size_t i = 0; i < n; i++) {
      printf("%s{\"name\": ", i ? ", " : "");
      json_str(l[i].name);
      printf(", \"embeddings\": %zu, \"negatives\": %zu}", l[i].positives, l[i].negatives);
    }
    printf("]}\n");
  } else {
    for (size_t i = 0; i < n; i++)
      printf("%-32s %zu embedding%s, %zu negative%s\n", l[i].name, l[i].positives,
             l[i].positives == 1 ? "" : "s", l[i].negatives, l[i].negatives == 1 ? "" : "s");
    printf("%zu identit%s, threshold %.3f%s\n", n, n == 1 ? "y" : "ies",
           (double)odai_gallery_threshold(g), odai_gallery_encrypted(g) ? ", encrypted" : "");
  }
  free(l);
  odai_gallery_close(g);
  return rc;
}

static int cmd_remove(const cli *c, int argc, char **argv) {
  if (argc != 2) return usage("remove GALLERY NAME");
  odai_gallery *g;
  if (open_gallery(c, argv[0], true, &g)) return 1;
  odai_error err;
  if (odai_gallery_remove(g, argv[1], &err) != ODAI_OK) {
    odai_gallery_close(g);
    return fail(argv[0], &err);
  }
  return save_close(g, argv[0]);
}

static int cmd_rename(const cli *c, int argc, char **argv) {
  if (argc != 3) return usage("rename GALLERY OLD NEW");
  odai_gallery *g;
  if (open_gallery(c, argv[0], true, &g)) return 1;
  odai_error err;
  if (odai_gallery_rename(g, argv[1], argv[2], &err) != ODAI_OK) {
    odai_gallery_close(g);
    return fail(argv[0], &err);
  }
  return save_close(g, argv[0]);
}

static int cmd_export(const cli *c, int argc, char **argv) {
  if (argc != 3 && !(argc == 5 && !strcmp(argv[3], "--to-key")))
    return usage("export GALLERY NAME FILE [--to-key KEYFILE]");
  odai_gallery *g;
  if (open_gallery(c, argv[0], false, &g)) return 1;
  odai_error err;
  int rc = 0;
  /* An encrypted gallery's export is encrypted too (same key) unless --to-key says otherwise. */
  if (odai_gallery_export_identity(g, argv[1], argv[2], argc == 5 ? argv[4] : c->key, &err) !=
      ODAI_OK)
    rc = fail(argv[2], &err);
  odai_gallery_close(g);
  return rc;
}

static int cmd_import(const cli *c, int argc, char **argv) {
  if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "--from-key")))
    return usage("import GALLERY FILE [--from-key KEYFILE]");
  odai_gallery *g;
  if (open_gallery(c, argv[0], true, &g)) return 1;
  odai_error err;
  if (odai_gallery_import_identity(g, argv[1], argc == 4 ? argv[3] : c->key, &err) != ODAI_OK) {
    odai_gallery_close(g);
    return fail(argv[1], &err);
  }
  return save_close(g, argv[0]);
}

static int cmd_threshold(const cli *c, int argc, char **argv) {
  if (argc != 1 && argc != 2) return usage("threshold GALLERY [VALUE]");
  odai_gallery *g;
  if (open_gallery(c, argv[0], argc == 2, &g)) return 1;
  if (argc == 1) {
    printf("%.4f\n", (double)odai_gallery_threshold(g));
    odai_gallery_close(g);
    return 0;
  }
  char *end;
  float t = strtof(argv[1], &end);
  odai_error err;
  if (*end || odai_gallery_set_threshold(g, t, &err) != ODAI_OK) {
    odai_gallery_close(g);
    return usage("threshold: VALUE must be a number in [-1, 1]");
  }
  return save_close(g, argv[0]);
}

static int cmd_calibrate(const cli *c, int argc, char **argv) {
  if (argc < 1) return usage("calibrate GALLERY [--far RATE] [--dry-run]");
  double far = 0.001;
  bool dry = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--far") && i + 1 < argc) {
      char *end;
      far = strtod(argv[++i], &end);
      if (*end || !(far >= 0 && far <= 1)) return usage("calibrate: --far wants a rate in [0, 1]");
    } else if (!strcmp(argv[i], "--dry-run")) {
      dry = true;
    } else {
      return usage("calibrate: unknown argument");
    }
  }
  odai_gallery *g;
  if (open_gallery(c, argv[0], !dry, &g)) return 1;
  odai_gallery_calibration cal;
  odai_error err;
  if (odai_gallery_calibrate(g, far, &cal, &err) != ODAI_OK) {
    odai_gallery_close(g);
    return fail(argv[0], &err);
  }
  if (c->json) {
    printf("{\"threshold\": %.4f, \"target_far\": %g, \"expected_far\": %.6f, "
           "\"expected_frr\": %.6f, \"genuine\": {\"n\": %zu, \"min\": %.4f, \"median\": %.4f, "
           "\"max\": %.4f}, \"impostor\": {\"n\": %zu, \"min\": %.4f, \"median\": %.4f, "
           "\"max\": %.4f}, \"sampled\": %s, \"stored\": %s}\n",
           (double)cal.threshold, far, cal.expected_far,
           cal.genuine_pairs ? cal.expected_frr : -1.0, cal.genuine_pairs,
           (double)cal.genuine_min, (double)cal.genuine_median, (double)cal.genuine_max,
           cal.impostor_pairs, (double)cal.impostor_min, (double)cal.impostor_median,
           (double)cal.impostor_max, cal.sampled ? "true" : "false", dry ? "false" : "true");
  } else {
    if (cal.genuine_pairs)
      printf("genuine   %6zu pairs: min %.3f  median %.3f  max %.3f\n", cal.genuine_pairs,
             (double)cal.genuine_min, (double)cal.genuine_median, (double)cal.genuine_max);
    else
      printf("genuine        0 pairs: enrol two or more photos per person to measure them\n");
    printf("impostor  %6zu pairs: min %.3f  median %.3f  max %.3f%s\n", cal.impostor_pairs,
           (double)cal.impostor_min, (double)cal.impostor_median, (double)cal.impostor_max,
           cal.sampled ? " (sampled)" : "");
    printf("threshold %.3f for false-accept rate <= %g: expected FAR %.4f", (double)cal.threshold,
           far, cal.expected_far);
    if (cal.genuine_pairs)
      printf(", expected FRR %.4f\n", cal.expected_frr);
    else
      printf(", expected FRR unknown\n");
  }
  if (dry) {
    odai_gallery_close(g);
    return 0;
  }
  if (odai_gallery_set_threshold(g, cal.threshold, &err) != ODAI_OK) {
    odai_gallery_close(g);
    return fail(argv[0], &err);
  }
  int rc = save_close(g, argv[0]);
  if (rc == 0 && !c->json) printf("stored in %s\n", argv[0]);
  return rc;
}

/* ---- face commands (through the face graph) ---- */

/* The one face of a photo to enroll/reject: refuses no face, several faces
 * (unless largest) and faces skipped for quality. *emb is transfer full. */
static int one_face(face_graph *fg, const char *path, bool largest, odai_embedding **emb) {
  face_result r;
  odai_error err;
  *emb = NULL;
  if (face_graph_run_file(fg, path, &r, &err) != ODAI_OK) return fail(path, &err);
  int rc = 1;
  if (r.count == 0) {
    fprintf(stderr, "odai-faces: %s: no face found\n", path);
  } else if (r.count > 1 && !largest) {
    fprintf(stderr, "odai-faces: %s: %zu faces found; use --largest to take the largest\n", path,
            r.count);
  } else {
    face_hit *h = &r.faces[face_result_largest(&r)];
    if (!h->embedding) {
      fprintf(stderr, "odai-faces: %s: face not usable: %s\n", path, h->reason);
    } else {
      *emb = h->embedding;
      h->embedding = NULL;
      rc = 0;
    }
  }
  face_result_fini(&r);
  return rc;
}

static int open_face_graph(const cli *c, const char *gallery, face_graph **fg) {
  odai_error err;
  if (face_graph_open(c->model, gallery, c->key, true, fg, &err) != ODAI_OK)
    return fail("face graph", &err);
  return 0;
}

/* Split off the flags this command knows; the rest stay positional. */
static int take_flags(int argc, char **argv, bool *largest, const char **threshold,
                      const char **gallery, char **pos, int *npos) {
  *npos = 0;
  for (int i = 0; i < argc; i++) {
    if (largest && !strcmp(argv[i], "--largest")) {
      *largest = true;
    } else if (threshold && !strcmp(argv[i], "--threshold") && i + 1 < argc) {
      *threshold = argv[++i];
    } else if (gallery && !strcmp(argv[i], "--gallery") && i + 1 < argc) {
      *gallery = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1] == '-') {
      return -1;
    } else {
      pos[(*npos)++] = argv[i];
    }
  }
  return 0;
}

static int cmd_enroll(const cli *c, int argc, char **argv) {
  bool largest = false;
  char **pos = calloc((size_t)argc + 1, sizeof *pos);
  int n = 0, rc = 1;
  face_graph *fg = NULL;
  odai_embedding **embs = NULL;
  odai_gallery *g = NULL;
  if (!pos) return 1;
  if (take_flags(argc, argv, &largest, NULL, NULL, pos, &n) || n < 3) {
    rc = usage("enroll GALLERY NAME IMAGE... [--largest]");
    goto done;
  }
  int nimg = n - 2;
  if (!(embs = calloc((size_t)nimg, sizeof *embs))) goto done;
  if (open_face_graph(c, NULL, &fg)) goto done;
  for (int i = 0; i < nimg; i++)
    if (one_face(fg, pos[2 + i], largest, &embs[i])) goto done; /* nothing stored */
  odai_gallery_options o = {.key_path = c->key, .create_if_missing = true,
                            .model_id = embs[0]->model_id, .dim = embs[0]->dim,
                            .lock_timeout_ms = c->wait_ms};
  odai_error err;
  if (odai_gallery_open(pos[0], &o, &g, &err) != ODAI_OK) {
    rc = fail(pos[0], &err);
    goto done;
  }
  for (int i = 0; i < nimg; i++)
    if (odai_gallery_add(g, pos[1], embs[i], &err) != ODAI_OK) {
      rc = fail(pos[1], &err);
      goto done;
    }
  rc = save_close(g, pos[0]);
  g = NULL;
  if (rc == 0) printf("enrolled %d face%s as %s\n", nimg, nimg == 1 ? "" : "s", pos[1]);
done:
  odai_gallery_close(g);
  if (embs)
    for (int i = 0; i < n - 2; i++) odai_embedding_free(embs[i]);
  free(embs);
  face_graph_close(fg);
  free(pos);
  return rc;
}

static int cmd_reject(const cli *c, int argc, char **argv) {
  bool largest = false;
  char *pos[3];
  int n = 0;
  if (argc > 4 || take_flags(argc, argv, &largest, NULL, NULL, pos, &n) || n != 3)
    return usage("reject GALLERY NAME IMAGE [--largest]");
  face_graph *fg = NULL;
  odai_embedding *e = NULL;
  odai_gallery *g = NULL;
  int rc = 1;
  if (open_face_graph(c, NULL, &fg) || one_face(fg, pos[2], largest, &e)) goto done;
  if (open_gallery(c, pos[0], true, &g)) goto done;
  odai_error err;
  if (odai_gallery_add_negative(g, pos[1], e, &err) != ODAI_OK) {
    rc = fail(pos[1], &err);
    goto done;
  }
  rc = save_close(g, pos[0]);
  g = NULL;
  if (rc == 0) printf("stored a negative for %s: this face is not %s\n", pos[1], pos[1]);
done:
  odai_gallery_close(g);
  odai_embedding_free(e);
  face_graph_close(fg);
  return rc;
}

static void print_box(const odai_detection *d) {
  printf("{\"xmin\": %.4f, \"ymin\": %.4f, \"width\": %.4f, \"height\": %.4f}", d->xmin,
         d->ymin, d->width, d->height);
}

static int cmd_identify(const cli *c, int argc, char **argv) {
  if (argc < 2) return usage("identify GALLERY IMAGE...");
  face_graph *fg = NULL;
  /* Check the gallery (and key) first for a clear message. */
  odai_gallery *g = NULL;
  if (open_gallery(c, argv[0], false, &g)) return 1;
  odai_gallery_close(g);
  if (open_face_graph(c, argv[0], &fg)) return 1;
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    face_result r;
    odai_error err;
    if (face_graph_run_file(fg, argv[i], &r, &err) != ODAI_OK) {
      rc = fail(argv[i], &err);
      continue;
    }
    if (c->json) {
      printf("{\"image\": ");
      json_str(argv[i]);
      printf(", \"faces\": [");
    } else {
      printf("%s: %zu face%s\n", argv[i], r.count, r.count == 1 ? "" : "s");
    }
    for (size_t k = 0; k < r.count; k++) {
      const face_hit *h = &r.faces[k];
      const odai_detection *d = &h->det;
      if (c->json) {
        printf("%s{\"identity\": ", k ? ", " : "");
        if (h->embedding) {
          json_str(d->identity);
          printf(", \"similarity\": %.4f", d->identity_similarity);
        } else {
          printf("null, \"skipped\": ");
          json_str(h->reason);
        }
        printf(", \"score\": %.4f, \"box\": ", d->score);
        print_box(d);
        printf("}");
      } else if (h->embedding) {
        printf("  %-20s similarity %.4f  box x %.3f y %.3f w %.3f h %.3f\n", d->identity,
               d->identity_similarity, d->xmin, d->ymin, d->width, d->height);
      } else {
        printf("  (skipped: %s)  box x %.3f y %.3f w %.3f h %.3f\n", h->reason, d->xmin, d->ymin,
               d->width, d->height);
      }
    }
    if (c->json) printf("]}\n");
    face_result_fini(&r);
  }
  face_graph_close(fg);
  return rc;
}

static int cmd_verify(const cli *c, int argc, char **argv) {
  const char *tstr = NULL, *gpath = NULL;
  char *pos[2];
  int n = 0;
  if (argc > 4 || take_flags(argc, argv, NULL, &tstr, &gpath, pos, &n) || n != 2)
    return usage("verify IMAGE1 IMAGE2 [--threshold T | --gallery GALLERY]");
  float t = ODAI_GALLERY_DEFAULT_THRESHOLD;
  if (tstr) {
    char *end;
    t = strtof(tstr, &end);
    if (*end || !(t >= -1 && t <= 1)) return usage("verify: --threshold wants a number in [-1, 1]");
  } else if (gpath) {
    odai_gallery *g;
    if (open_gallery(c, gpath, false, &g)) return 1;
    t = odai_gallery_threshold(g);
    odai_gallery_close(g);
  }
  face_graph *fg = NULL;
  odai_embedding *a = NULL, *b = NULL;
  int rc = 1;
  if (open_face_graph(c, NULL, &fg) || one_face(fg, pos[0], true, &a) ||
      one_face(fg, pos[1], true, &b))
    goto done;
  float sim;
  odai_error err;
  if (odai_embedding_cosine(a, b, &sim, &err) != ODAI_OK) {
    rc = fail("verify", &err);
    goto done;
  }
  const char *verdict = sim >= t ? "same" : "different";
  if (c->json)
    printf("{\"similarity\": %.4f, \"threshold\": %.4f, \"verdict\": \"%s\"}\n", sim, t, verdict);
  else
    printf("similarity %.4f: %s person (threshold %.4f)\n", sim, verdict, t);
  rc = 0;
done:
  odai_embedding_free(a);
  odai_embedding_free(b);
  face_graph_close(fg);
  return rc;
}

int main(int argc, char **argv) {
  cli c = {.key = NULL, .model = NULL, .wait_ms = 2000, .json = false};
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--key") && i + 1 < argc) {
      c.key = argv[++i];
    } else if (!strcmp(argv[i], "--wait") && i + 1 < argc) {
      c.wait_ms = atoi(argv[++i]);
    } else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
      c.model = argv[++i];
    } else if (!strcmp(argv[i], "--json")) {
      c.json = true;
    } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(k_usage, stdout);
      return 0;
    } else {
      return usage("unknown option");
    }
  }
  if (i >= argc) return usage(NULL);
  const char *cmd = argv[i];
  /* Global flags may also follow the command ("identify G A.jpg --json"). */
  int n = 0;
  char **rest = argv + i + 1;
  for (int k = i + 1; k < argc; k++) {
    if (!strcmp(argv[k], "--json")) {
      c.json = true;
    } else if (!strcmp(argv[k], "--key") && k + 1 < argc) {
      c.key = argv[++k];
    } else if (!strcmp(argv[k], "--wait") && k + 1 < argc) {
      c.wait_ms = atoi(argv[++k]);
    } else {
      rest[n++] = argv[k];
    }
  }
  if (!strcmp(cmd, "keygen")) return cmd_keygen(n, rest);
  if (!strcmp(cmd, "create")) return cmd_create(&c, n, rest);
  if (!strcmp(cmd, "list")) return cmd_list(&c, n, rest);
  if (!strcmp(cmd, "remove")) return cmd_remove(&c, n, rest);
  if (!strcmp(cmd, "rename")) return cmd_rename(&c, n, rest);
  if (!strcmp(cmd, "export")) return cmd_export(&c, n, rest);
  if (!strcmp(cmd, "import")) return cmd_import(&c, n, rest);
  if (!strcmp(cmd, "threshold")) return cmd_threshold(&c, n, rest);
  if (!strcmp(cmd, "calibrate")) return cmd_calibrate(&c, n, rest);
  if (!strcmp(cmd, "enroll")) return cmd_enroll(&c, n, rest);
  if (!strcmp(cmd, "identify")) return cmd_identify(&c, n, rest);
  if (!strcmp(cmd, "verify")) return cmd_verify(&c, n, rest);
  if (!strcmp(cmd, "reject")) return cmd_reject(&c, n, rest);
  return usage("unknown command");
}
