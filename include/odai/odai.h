/* odai/odai.h: umbrella header of the public C API. */
#ifndef ODAI_ODAI_H
#define ODAI_ODAI_H

#include "odai/common.h"
#include "odai/timestamp.h"
#include "odai/types.h"
#include "odai/packet.h"
#include "odai/options.h"
#include "odai/calculator.h"
#include "odai/graph.h"

#endif /* ODAI_ODAI_H */
