/* MLPerf Tiny host-to-DUT commands, so the EEMBC/MLCommons runners can time the model last loaded over
 * the binary link. Every command ends with m-ready. */
#include <string.h>

#include "internal.h"
#include "tensor.h"
#include "text_out.h"

#define DEFAULT_WARMUPS 10u /* MLPerf Tiny's default when `infer` names no W */

/* Splits off the next space-separated token; NULL when none is left. */
static char *next_token(char **rest) {
    char *s = *rest;
    while (*s == ' ') s++;
    if (*s == '\0') return NULL;
    char *start = s;
    while (*s != '\0' && *s != ' ') s++;
    if (*s == ' ') *s++ = '\0';
    *rest = s;
    return start;
}

static bool parse_u32(const char *s, uint32_t *v) {
    uint32_t n = 0;
    if (*s == '\0') return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') return false;
        uint32_t digit = (uint32_t)(*s - '0');
        if (n > (0xFFFFFFFFu - digit) / 10u) return false;
        n = n * 10u + digit;
    }
    *v = n;
    return true;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void error_line(cnas_fw *fw, const char *what, const char *detail) {
    cnas_text_out o;
    cnas_out_begin(&o, fw->platform);
    cnas_out_str(&o, "e-[");
    cnas_out_str(&o, what);
    cnas_out_str(&o, detail);
    cnas_out_str(&o, "]");
    cnas_out_end(&o);
}

static void lap(cnas_fw *fw) {
    cnas_text_out o;
    cnas_out_begin(&o, fw->platform);
    cnas_out_str(&o, "m-lap-us-");
    cnas_out_u32(&o, fw->platform->micros(fw->platform->ctx));
    cnas_out_end(&o);
}

static void cmd_name(cnas_fw *fw) {
    cnas_text_out o;
    cnas_out_begin(&o, fw->platform);
    cnas_out_str(&o, "m-name-dut-[");
    cnas_out_str(&o, fw->platform->board_id);
    cnas_out_str(&o, "]");
    cnas_out_end(&o);
}

static void cmd_profile(cnas_fw *fw) {
    cnas_text_out o;
    cnas_out_line(fw->platform, "m-profile-[cnas firmware " CNAS_FIRMWARE_VERSION "]");
    cnas_out_begin(&o, fw->platform);
    cnas_out_str(&o, "m-model-[");
    if (fw->device.n_loaded > 0)
        cnas_out_hex32(&o, fw->device.models[0].crc);
    else
        cnas_out_str(&o, "none");
    cnas_out_str(&o, "]");
    cnas_out_end(&o);
}

static void cmd_help(cnas_fw *fw) {
    static const char *const lines[] = {
        "m-[name        board id]",
        "m-[profile     firmware version and CRC-32 of the loaded model]",
        "m-[timestamp   microseconds since boot]",
        "m-[db load N   expect N input bytes]",
        "m-[db HEX      append input bytes]",
        "m-[db print    show the input bytes]",
        "m-[infer N W   W warm-up runs, then N timed runs]",
        "m-[results     output 0 of the last run]",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) cnas_out_line(fw->platform, lines[i]);
}

static void db_print(cnas_fw *fw) {
    cnas_text_out o;
    for (uint32_t at = 0; at < fw->db_len; at += 8u) {
        cnas_out_begin(&o, fw->platform);
        cnas_out_str(&o, "m-buffer");
        for (uint32_t i = at; i < fw->db_len && i < at + 8u; i++) {
            cnas_out_str(&o, "-");
            cnas_out_hex8(&o, fw->db[i]);
        }
        cnas_out_end(&o);
    }
}

static void db_load(cnas_fw *fw, const char *count) {
    uint32_t n;
    if (count == NULL || !parse_u32(count, &n) || n == 0 || n > CNAS_DB_BYTES) {
        error_line(fw, "db load needs 1 to the buffer size in bytes", "");
        return;
    }
    fw->db_expected = n;
    fw->db_len = 0;
    cnas_text_out o;
    cnas_out_begin(&o, fw->platform);
    cnas_out_str(&o, "m-[Expecting ");
    cnas_out_u32(&o, n);
    cnas_out_str(&o, " bytes]");
    cnas_out_end(&o);
}

static void db_append(cnas_fw *fw, const char *hex) {
    size_t digits = strlen(hex);
    if (digits % 2u != 0) {
        error_line(fw, "Odd number of hex digits", "");
        return;
    }
    if (fw->db_len + digits / 2u > fw->db_expected) {
        error_line(fw, "More bytes than db load announced", "");
        return;
    }
    for (size_t i = 0; i < digits; i++) {
        if (hex_value(hex[i]) < 0) {
            error_line(fw, "Invalid hex digit", "");
            return;
        }
    }
    for (size_t i = 0; i < digits; i += 2u) {
        fw->db[fw->db_len + i / 2u] = (uint8_t)(hex_value(hex[i]) << 4 | hex_value(hex[i + 1]));
    }
    fw->db_len += (uint32_t)(digits / 2u);
    if (fw->db_len == fw->db_expected) cnas_out_line(fw->platform, "m-load-done");
}

static void cmd_db(cnas_fw *fw, char *rest) {
    char *arg = next_token(&rest);
    if (arg == NULL)
        error_line(fw, "db needs an argument", "");
    else if (strcmp(arg, "load") == 0)
        db_load(fw, next_token(&rest));
    else if (strcmp(arg, "print") == 0)
        db_print(fw);
    else
        db_append(fw, arg);
}

static void cmd_results(cnas_fw *fw) {
    const uint8_t *data;
    uint32_t bytes;
    cnas_status s = cnas_dev_output(&fw->device, 0, &data, &bytes);
    if (s.code != CNAS_OK) {
        error_line(fw, "No results: ", s.msg);
        return;
    }
    const cnas_tensor_info *t = &fw->device.alloc.outputs[0];
    uint32_t count = bytes / cnas_tensor_element_bytes(t->type);
    cnas_text_out o;
    cnas_out_begin(&o, fw->platform);
    cnas_out_str(&o, "m-results-[");
    for (uint32_t i = 0; i < count; i++) {
        if (i > 0) cnas_out_str(&o, ",");
        cnas_out_fixed3(&o, cnas_tensor_value(t, data, i));
    }
    cnas_out_str(&o, "]");
    cnas_out_end(&o);
}

/* Allocates the loaded model if the binary link has not, and feeds it the db buffer (MLPerf's
 * th_load_tensor). */
static bool load_tensor(cnas_fw *fw) {
    cnas_device *d = &fw->device;
    if (!d->allocated) {
        cnas_status s = cnas_dev_alloc(d);
        if (s.code != CNAS_OK) {
            error_line(fw, s.code == CNAS_ERR_NO_MODEL ? "No model loaded" : "Allocation failed: ",
                       s.code == CNAS_ERR_NO_MODEL ? "" : s.msg);
            return false;
        }
    }
    if (d->alloc.n_inputs == 0) return true;
    uint32_t n = fw->db_len < d->alloc.inputs[0].bytes ? fw->db_len : d->alloc.inputs[0].bytes;
    uint32_t written;
    cnas_dev_set_input(d, 0, 0, fw->db, n, &written);
    return true;
}

static bool run(cnas_fw *fw, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        cnas_status s = cnas_dev_invoke(&fw->device, 0, i);
        if (s.code != CNAS_OK) {
            error_line(fw, "Invoke failed: ", s.msg);
            return false;
        }
    }
    return true;
}

static void count_line(cnas_fw *fw, const char *prefix, uint32_t n) {
    cnas_text_out o;
    cnas_out_begin(&o, fw->platform);
    cnas_out_str(&o, prefix);
    cnas_out_u32(&o, n);
    cnas_out_end(&o);
}

static void cmd_infer(cnas_fw *fw, char *rest) {
    uint32_t runs = 1, warmups = DEFAULT_WARMUPS;
    char *n = next_token(&rest);
    char *w = next_token(&rest);
    if ((n != NULL && !parse_u32(n, &runs)) || (w != NULL && !parse_u32(w, &warmups))) {
        error_line(fw, "infer takes N and W as decimal numbers", "");
        return;
    }
    if (!load_tensor(fw)) return;
    count_line(fw, "m-warmup-start-", warmups);
    if (!run(fw, warmups)) return;
    cnas_out_line(fw->platform, "m-warmup-done");
    count_line(fw, "m-infer-start-", runs);
    lap(fw);
    if (!run(fw, runs)) return;
    lap(fw);
    cnas_out_line(fw->platform, "m-infer-done");
    cmd_results(fw);
}

static void dispatch(cnas_fw *fw, char *command) {
    char *rest = command;
    char *cmd = next_token(&rest);
    if (cmd == NULL) cmd = rest; /* an empty command is unknown too */
    if (strcmp(cmd, "name") == 0)
        cmd_name(fw);
    else if (strcmp(cmd, "profile") == 0)
        cmd_profile(fw);
    else if (strcmp(cmd, "help") == 0)
        cmd_help(fw);
    else if (strcmp(cmd, "timestamp") == 0)
        lap(fw);
    else if (strcmp(cmd, "db") == 0)
        cmd_db(fw, rest);
    else if (strcmp(cmd, "infer") == 0)
        cmd_infer(fw, rest);
    else if (strcmp(cmd, "results") == 0)
        cmd_results(fw);
    else
        error_line(fw, "Unknown command: ", cmd);
}

void cnas_text_command(cnas_fw *fw, char *command) {
    dispatch(fw, command);
    cnas_out_line(fw->platform, "m-ready");
}
