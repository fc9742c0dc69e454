/* calculators/face/recognizer.h: the face recognizer core (internal; no graph
 * types): names embeddings against a gallery (open set, threshold) and, for
 * tracked faces, decides each track's name by a vote over its recent frames
 * so labels do not flicker. FaceRecognizerCalculator and odai-faces wrap it.
 *
 * The vote (odai_face_voter): every frame in which a tracked face has an
 * embedding casts one vote: the frame's own decision (a name, or "unknown"
 * when the best similarity is below the threshold) with its similarity. A
 * track keeps its last `window` votes (default 15). Its label is the
 * decision with the most votes in the window; on a tie the label the track
 * showed last stays, else the one with the higher summed similarity wins.
 * The similarity shown is the mean similarity of the winning votes. A frame
 * without an embedding (face skipped for quality) casts no vote and shows
 * the track's current label. A track not seen for 2 x window frames is
 * forgotten. So a single frame whose embedding would flip the name (a
 * blurred or turned face matching someone else) cannot change the label:
 * a new name needs a majority of the window.
 *
 * Thread-safety: a voter is used by one thread at a time. */
#ifndef ODAI_CALCULATORS_FACE_RECOGNIZER_H
#define ODAI_CALCULATORS_FACE_RECOGNIZER_H

#include <stdbool.h>
#include <stdint.h>

#include "odai/gallery.h"

#define ODAI_FACE_VOTE_DEFAULT_WINDOW 15
#define ODAI_FACE_VOTE_MAX_WINDOW 256

/* One frame's decision for an embedding: the best identity when its
 * similarity >= threshold, else ODAI_GALLERY_UNKNOWN; *similarity is the best
 * (not refused) similarity, 0 when the gallery is empty. */
odai_status odai_face_decide(odai_gallery *g, const odai_embedding *e, float threshold,
                             char name[ODAI_GALLERY_NAME_MAX + 1], float *similarity,
                             odai_error *err);

typedef struct odai_face_voter odai_face_voter;

/* window: votes kept per track (1..ODAI_FACE_VOTE_MAX_WINDOW; 0 = default).
 * Transfer full; NULL on ENOMEM or a bad window. */
odai_face_voter *odai_face_voter_create(int window);
void odai_face_voter_free(odai_face_voter *v);
/* Forget every track's votes (e.g. after the gallery changed). */
void odai_face_voter_reset(odai_face_voter *v);
/* Start a new frame (ages tracks; forgets those unseen for 2 x window). */
void odai_face_voter_next_frame(odai_face_voter *v);
/* Add the frame's vote for track_id (name may be NULL: no vote this frame,
 * the track is only marked seen) and write the track's current label into
 * out_name ("" when the track has no votes yet) and *out_similarity. */
odai_status odai_face_voter_vote(odai_face_voter *v, int64_t track_id, const char *name,
                                 float similarity, char out_name[ODAI_GALLERY_NAME_MAX + 1],
                                 float *out_similarity, odai_error *err);
/* Number of tracks remembered. */
size_t odai_face_voter_tracks(const odai_face_voter *v);

#endif /* ODAI_CALCULATORS_FACE_RECOGNIZER_H */
