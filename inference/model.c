/* inference/model.c: odai_model lifetime and read-only accessors. The file
 * bytes are copied into the model and parsed by tflite_reader.c; nothing
 * here trusts the file beyond what the reader validated. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "model.h"

size_t odai_dtype_size(odai_dtype dtype) {
  switch (dtype) {
  case ODAI_DTYPE_FLOAT32: case ODAI_DTYPE_INT32: return 4;
  case ODAI_DTYPE_FLOAT16: case ODAI_DTYPE_INT16: return 2;
  case ODAI_DTYPE_UINT8: case ODAI_DTYPE_INT8: case ODAI_DTYPE_BOOL: return 1;
  case ODAI_DTYPE_INT64: return 8;
  }
  return 0;
}

const char *odai_dtype_name(odai_dtype dtype) {
  switch (dtype) {
  case ODAI_DTYPE_FLOAT32: return "FLOAT32";
  case ODAI_DTYPE_FLOAT16: return "FLOAT16";
  case ODAI_DTYPE_INT32: return "INT32";
  case ODAI_DTYPE_UINT8: return "UINT8";
  case ODAI_DTYPE_INT64: return "INT64";
  case ODAI_DTYPE_BOOL: return "BOOL";
  case ODAI_DTYPE_INT16: return "INT16";
  case ODAI_DTYPE_INT8: return "INT8";
  }
  return "UNKNOWN";
}

void odai_model_free(odai_model *m) {
  if (!m) return;
  if (m->ops)
    for (int i = 0; i < m->n_ops; i++) {
      free(m->ops[i].inputs);
      free(m->ops[i].outputs);
    }
  free(m->ops);
  free(m->tensors);
  free(m->inputs);
  free(m->outputs);
  free(m->bytes);
  free(m);
}

odai_status odai_model_load_from_memory(const void *data, size_t size, odai_model **out,
                                        odai_error *err) {
  if (!out || (!data && size)) return odai_error_set(err, ODAI_E_INVALID, "odai_model_load: NULL argument");
  *out = NULL;
  odai_model *m = calloc(1, sizeof *m);
  if (!m) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  m->bytes = malloc(size ? size : 1);
  if (!m->bytes) {
    free(m);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory copying a %zu-byte model", size);
  }
  if (size) memcpy(m->bytes, data, size);
  m->size = size;
  m->description = "";
  odai_status st = odai_tflite_parse(m, err);
  if (st != ODAI_OK) {
    odai_model_free(m);
    return st;
  }
  *out = m;
  return ODAI_OK;
}

odai_status odai_model_load_file(const char *path, odai_model **out, odai_error *err) {
  if (!path || !out) return odai_error_set(err, ODAI_E_INVALID, "odai_model_load_file: NULL argument");
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return odai_error_set(err, errno == ENOENT ? ODAI_E_NOT_FOUND : ODAI_E_IO, "%s: %s", path,
                                strerror(errno));
  uint8_t *buf = NULL;
  odai_status st = ODAI_OK;
  long len;
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && !S_ISREG(sb.st_mode)) {
    st = odai_error_set(err, ODAI_E_INVALID, "%s: not a regular file (%s)", path,
                        S_ISDIR(sb.st_mode) ? "a directory" : "a device, pipe or socket");
    goto done;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    st = odai_error_set(err, ODAI_E_IO, "%s: cannot get size: %s", path, strerror(errno));
    goto done;
  }
  buf = malloc(len ? (size_t)len : 1);
  if (!buf) {
    st = odai_error_set(err, ODAI_E_NOMEM, "%s: out of memory (%ld bytes)", path, len);
    goto done;
  }
  if (len && fread(buf, 1, (size_t)len, f) != (size_t)len) {
    st = odai_error_set(err, ODAI_E_IO, "%s: short read", path);
    goto done;
  }
  st = odai_model_load_from_memory(buf, (size_t)len, out, err);
  if (st != ODAI_OK) odai_error_prefix(err, "%s: ", path);
done:
  free(buf);
  fclose(f);
  return st;
}

const char *odai_model_description(const odai_model *m) { return m && m->description ? m->description : ""; }
int odai_model_tensor_count(const odai_model *m) { return m ? m->n_tensors : 0; }
int odai_model_op_count(const odai_model *m) { return m ? m->n_ops : 0; }
int odai_model_input_count(const odai_model *m) { return m ? m->n_inputs : 0; }
int odai_model_output_count(const odai_model *m) { return m ? m->n_outputs : 0; }
int odai_model_input_tensor(const odai_model *m, int i) {
  return m && i >= 0 && i < m->n_inputs ? m->inputs[i] : -1;
}
int odai_model_output_tensor(const odai_model *m, int i) {
  return m && i >= 0 && i < m->n_outputs ? m->outputs[i] : -1;
}
size_t odai_model_weight_bytes(const odai_model *m) { return m ? m->weight_bytes : 0; }

odai_status odai_model_tensor(const odai_model *m, int index, odai_tensor_info *info) {
  if (!m || !info || index < 0 || index >= m->n_tensors) return ODAI_E_INVALID;
  const odai_mtensor *t = &m->tensors[index];
  memset(info, 0, sizeof *info);
  info->name = t->name;
  info->dtype = (odai_dtype)t->dtype;
  info->rank = t->rank;
  memcpy(info->shape, t->shape, sizeof t->shape);
  info->bytes = (size_t)t->elems * odai_dtype_size((odai_dtype)t->dtype);
  info->data = (void *)t->data;
  info->is_constant = t->data != NULL;
  info->is_sparse = t->has_sparsity;
  return ODAI_OK;
}

odai_status odai_model_op(const odai_model *m, int index, odai_op_info *info) {
  if (!m || !info || index < 0 || index >= m->n_ops) return ODAI_E_INVALID;
  const odai_mop *op = &m->ops[index];
  memset(info, 0, sizeof *info);
  info->name = op->name ? op->name : "?";
  info->code = op->file_code;
  info->model_index = index;
  info->n_inputs = op->n_inputs;
  info->n_outputs = op->n_outputs;
  info->inputs = op->inputs;
  info->outputs = op->outputs;
  info->fused = "";
  return ODAI_OK;
}
