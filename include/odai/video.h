/* odai/video.h: video files and streams through GStreamer.
 *
 * odai_video_source reads frames from any URI GStreamer can open (a file
 * path, file://, rtsp://, http(s)://, ...) through uridecodebin, or from a
 * full pipeline description ending in `appsink name=sink`, converted to the
 * pixel format the caller asks for. Frames are odai_images that WRAP the
 * decoded GstBuffer's mapping without a copy; the buffer goes back to
 * GStreamer when the last reference to the image drops.
 *
 * odai_video_sink takes odai_images into an appsrc and encodes them: the
 * pipeline is chosen by the output path's extension (.mp4: H.264 in MP4,
 * .mkv: H.264 in Matroska, .avi: MJPEG in AVI) or given as a description
 * starting with `appsrc name=src` (any sink: a display, a network stream).
 * H.264 outputs are 4:2:0 (I420, playable everywhere), which needs even
 * sizes: the last column/row of odd-sized frames is cropped.
 *
 * Errors posted on the pipeline bus come back as odai_status with the
 * element's name and GStreamer's message and debug string.
 *
 * Thread-safety: GStreamer is initialised once, thread-safely, on first use.
 * A source or sink may be used by one thread at a time (its owner); images
 * it returns may be released from any thread, also after it was closed.
 * Different sources/sinks are independent. */
#ifndef ODAI_VIDEO_H
#define ODAI_VIDEO_H

#include <stdbool.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_video_source odai_video_source;
typedef struct odai_video_sink odai_video_sink;

typedef struct odai_video_source_options {
  /* Output pixel format: RGB8 (default), RGBA8, BGR8, BGRA8, GRAY8, YUYV,
   * NV12, I420. */
  odai_pixel_format format;
  /* Live sources (cameras, RTSP): keep only the newest frame (appsink
   * max-buffers=1 drop=true) so a slow consumer sees fresh frames. Default
   * false: every frame is delivered and decoding waits for the consumer. */
  bool drop_old_frames;
  /* Decoded frames queued ahead of the consumer when not dropping (default 4). */
  int max_queued;
  /* Pace output at the stream's clock rate (appsink sync=true). Default false:
   * files are read as fast as they are consumed. */
  bool realtime;
  /* How long open() waits for the pipeline to start (default 10000 ms). */
  int open_timeout_ms;
} odai_video_source_options;

typedef struct odai_video_info {
  int width, height;         /* of the most recent frame (caps may change) */
  odai_pixel_format format;
  int fps_num, fps_den;      /* 0/1 when unknown or variable */
  int64_t duration_us;       /* -1 when unknown (live streams) */
} odai_video_info;

ODAI_API void odai_video_source_options_default(odai_video_source_options *options);

/* Open `uri_or_pipeline` (NULL options = defaults) and start it:
 *  - a string containing "appsink" and "!" (and not an existing file) is a
 *    pipeline description; its appsink
 *    must be named "sink". If that appsink has no caps, odai sets
 *    video/x-raw,format=<options.format> on it (put a videoconvert before it).
 *  - a string with a URI scheme ("rtsp://...") is used as is;
 *  - anything else is a file path (made absolute and turned into a file URI).
 * Waits up to open_timeout_ms for the first frame to be ready, so a missing
 * file or unreachable stream fails here (ODAI_E_NOT_FOUND / ODAI_E_IO with
 * the element's message). *out: transfer full. */
ODAI_API odai_status odai_video_source_open(const char *uri_or_pipeline,
                                            const odai_video_source_options *options,
                                            odai_video_source **out, odai_error *err);

/* The next frame, waiting up to timeout_ms (<0: forever). *frame: transfer
 * full, zero-copy (see above). *pts_us: the buffer's presentation timestamp
 * as running time in microseconds (0 at the start, monotonic; equal to the
 * PTS for a plain file; -1 when the buffer has none); may be NULL. When the caps change mid-stream (new size), later frames simply
 * have the new size. Returns ODAI_OK, ODAI_E_EOF at end of stream,
 * ODAI_E_TIMEOUT, or the bus error (ODAI_E_IO, ODAI_E_NOT_FOUND,
 * ODAI_E_UNSUPPORTED) with "element 'name': message". */
ODAI_API odai_status odai_video_source_read(odai_video_source *src, int timeout_ms,
                                            odai_image **frame, int64_t *pts_us, odai_error *err);

/* Size, format and rate of the current caps, and the duration if known.
 * ODAI_E_AGAIN while no caps are negotiated yet (a live source before its
 * first frame). */
ODAI_API odai_status odai_video_source_info(odai_video_source *src, odai_video_info *info,
                                            odai_error *err);

/* Stop and free. Frames still held stay valid until released. NULL ok. */
ODAI_API void odai_video_source_close(odai_video_source *src);

typedef struct odai_video_sink_options {
  /* Nominal rate written in the caps (AVI players go by it alone). Default
   * 0/0: measured from the first two frames' timestamps (29.97 -> 30000/1001;
   * 30/1 when frames come without timestamps or alone). */
  int fps_num, fps_den;
  int bitrate_kbps;     /* H.264 bitrate (default 0: x264enc's default) */
  int jpeg_quality;     /* MJPEG AVI quality 1..100 (default 85) */
} odai_video_sink_options;

ODAI_API void odai_video_sink_options_default(odai_video_sink_options *options);

/* Open a sink: `path_or_pipeline` is an output file (.mp4, .mkv, .avi) or a
 * description starting with "appsrc name=src ! ...". The pipeline starts at once
 * (so an unwritable output path fails here with the filesink's message);
 * its input caps are fixed by the first frame written. *out: transfer full. */
ODAI_API odai_status odai_video_sink_open(const char *path_or_pipeline,
                                          const odai_video_sink_options *options,
                                          odai_video_sink **out, odai_error *err);

/* Push one frame (transfer none: the pixels are copied into a GstBuffer) with
 * its timestamp in microseconds (pts_us < 0: derived from the frame count
 * and the nominal rate). With the automatic rate the first frame is held
 * until the second arrives (or finish()). All frames must have the first frame's size and
 * format (RGB8, RGBA8, BGR8, BGRA8, GRAY8, YUYV, NV12, I420). Blocks while
 * the encoder is more than a few frames behind. Errors from the pipeline
 * (e.g. disk full) come back here or from finish(). */
ODAI_API odai_status odai_video_sink_write(odai_video_sink *sink, const odai_image *frame,
                                           int64_t pts_us, odai_error *err);

/* End the stream and wait up to timeout_ms (<0: forever) until every frame
 * is encoded and the file is complete (for MP4 the index, "moov", is written
 * at this point: a file not finished is unplayable). Then stops. */
ODAI_API odai_status odai_video_sink_finish(odai_video_sink *sink, int timeout_ms, odai_error *err);

/* Frames written so far. */
ODAI_API uint64_t odai_video_sink_frames(const odai_video_sink *sink);

/* Stop (without finishing if finish() was not called) and free. NULL ok. */
ODAI_API void odai_video_sink_close(odai_video_sink *sink);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_VIDEO_H */
