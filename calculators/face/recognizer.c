/* calculators/face/recognizer.c: the recognizer core (recognizer.h): one
 * frame's open-set decision against the gallery and the per-track vote that
 * keeps names from flickering. No graph types. */
#include "recognizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vote {
  char name[ODAI_GALLERY_NAME_MAX + 1];
  float similarity;
} vote;

typedef struct vtrack {
  int64_t id;
  int64_t last_seen; /* frame number */
  int n, head;       /* votes held, next slot */
  char shown[ODAI_GALLERY_NAME_MAX + 1];
  vote *votes;       /* window slots */
} vtrack;

struct odai_face_voter {
  int window;
  int64_t frame;
  vtrack *tracks;
  size_t ntracks, cap;
};

odai_status odai_face_decide(odai_gallery *g, const odai_embedding *e, float threshold,
                             char name[ODAI_GALLERY_NAME_MAX + 1], float *similarity,
                             odai_error *err) {
  odai_gallery_result r;
  size_t n = 0;
  odai_status st = odai_gallery_match(g, e, 1, &r, &n, err);
  if (st != ODAI_OK) return st;
  if (n > 0 && r.similarity >= threshold) {
    snprintf(name, ODAI_GALLERY_NAME_MAX + 1, "%s", r.name);
  } else {
    snprintf(name, ODAI_GALLERY_NAME_MAX + 1, "%s", ODAI_GALLERY_UNKNOWN);
  }
  *similarity = n > 0 ? r.similarity : 0.0f;
  return ODAI_OK;
}

odai_face_voter *odai_face_voter_create(int window) {
  if (window == 0) window = ODAI_FACE_VOTE_DEFAULT_WINDOW;
  if (window < 1 || window > ODAI_FACE_VOTE_MAX_WINDOW) return NULL;
  odai_face_voter *v = calloc(1, sizeof *v);
  if (!v) return NULL;
  v->window = window;
  return v;
}

void odai_face_voter_reset(odai_face_voter *v) {
  if (!v) return;
  for (size_t i = 0; i < v->ntracks; i++) free(v->tracks[i].votes);
  v->ntracks = 0;
}

void odai_face_voter_free(odai_face_voter *v) {
  if (!v) return;
  odai_face_voter_reset(v);
  free(v->tracks);
  free(v);
}

size_t odai_face_voter_tracks(const odai_face_voter *v) { return v ? v->ntracks : 0; }

void odai_face_voter_next_frame(odai_face_voter *v) {
  if (!v) return;
  v->frame++;
  size_t w = 0;
  for (size_t i = 0; i < v->ntracks; i++) {
    if (v->frame - v->tracks[i].last_seen > 2 * (int64_t)v->window) {
      free(v->tracks[i].votes);
      continue;
    }
    v->tracks[w++] = v->tracks[i];
  }
  v->ntracks = w;
}

static vtrack *find_track(odai_face_voter *v, int64_t id, odai_error *err) {
  for (size_t i = 0; i < v->ntracks; i++)
    if (v->tracks[i].id == id) return &v->tracks[i];
  if (v->ntracks == v->cap) {
    size_t c = v->cap ? v->cap * 2 : 16;
    vtrack *t = realloc(v->tracks, c * sizeof *t);
    if (!t) {
      odai_error_set(err, ODAI_E_NOMEM, "face voter: out of memory");
      return NULL;
    }
    v->tracks = t;
    v->cap = c;
  }
  vtrack *t = &v->tracks[v->ntracks];
  memset(t, 0, sizeof *t);
  t->votes = calloc((size_t)v->window, sizeof *t->votes);
  if (!t->votes) {
    odai_error_set(err, ODAI_E_NOMEM, "face voter: out of memory");
    return NULL;
  }
  t->id = id;
  v->ntracks++;
  return t;
}

odai_status odai_face_voter_vote(odai_face_voter *v, int64_t track_id, const char *name,
                                 float similarity, char out_name[ODAI_GALLERY_NAME_MAX + 1],
                                 float *out_similarity, odai_error *err) {
  if (!v || !out_name || !out_similarity)
    return odai_error_set(err, ODAI_E_INVALID, "face voter: NULL argument");
  out_name[0] = 0;
  *out_similarity = 0.0f;
  vtrack *t = find_track(v, track_id, err);
  if (!t) return ODAI_E_NOMEM;
  t->last_seen = v->frame;
  if (name) {
    vote *s = &t->votes[t->head];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->similarity = similarity;
    t->head = (t->head + 1) % v->window;
    if (t->n < v->window) t->n++;
  }
  if (t->n == 0) return ODAI_OK;
  /* Count the votes per distinct name (the window is small: quadratic). */
  int best = -1, best_count = 0;
  double best_sum = 0;
  for (int i = 0; i < t->n; i++) {
    bool seen = false;
    for (int j = 0; j < i && !seen; j++) seen = strcmp(t->votes[j].name, t->votes[i].name) == 0;
    if (seen) continue;
    int count = 0;
    double sum = 0;
    for (int j = i; j < t->n; j++)
      if (strcmp(t->votes[j].name, t->votes[i].name) == 0) {
        count++;
        sum += t->votes[j].similarity;
      }
    bool better = count > best_count;
    if (count == best_count && best >= 0) {
      bool is_shown = strcmp(t->votes[i].name, t->shown) == 0;
      bool best_shown = strcmp(t->votes[best].name, t->shown) == 0;
      if (is_shown != best_shown)
        better = is_shown;
      else
        better = sum > best_sum;
    }
    if (better) {
      best = i;
      best_count = count;
      best_sum = sum;
    }
  }
  snprintf(t->shown, sizeof t->shown, "%s", t->votes[best].name);
  snprintf(out_name, ODAI_GALLERY_NAME_MAX + 1, "%s", t->shown);
  *out_similarity = (float)(best_sum / best_count);
  return ODAI_OK;
}
