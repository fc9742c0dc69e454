/* odai/odai.h: umbrella header of the public C API: includes every public
 * header (tests/install checks that none is missing). Including the
 * individual headers instead is fine too.
 *
 * Thread-safety and ownership are stated in each header; docs/api.md is
 * the overview. */
#ifndef ODAI_ODAI_H
#define ODAI_ODAI_H

/* Core: status/errors, version, timestamps, types, packets, options. */
#include "odai/common.h"
#include "odai/version.h"
#include "odai/timestamp.h"
#include "odai/types.h"
#include "odai/packet.h"
#include "odai/options.h"

/* Graphs and calculators. */
#include "odai/calculator.h"
#include "odai/graph.h"
#include "odai/packet_types.h"

/* Images, media and devices. */
#include "odai/image.h"
#include "odai/image_io.h"
#include "odai/video.h"
#include "odai/camera.h"
#include "odai/display.h"

/* Inference and models. */
#include "odai/tensors.h"
#include "odai/inference.h"
#include "odai/model_path.h"

/* Vision payloads, faces. */
#include "odai/detection.h"
#include "odai/embedding.h"
#include "odai/gallery.h"

/* Tasks. */
#include "odai/task.h"
#include "odai/face_detector.h"
#include "odai/person_detector.h"
#include "odai/image_segmenter.h"
#include "odai/face_recognizer.h"

#endif /* ODAI_ODAI_H */
