/* Tests of log line formatting: the JSON line containerd parses and the
 * logrus-like text line, both one line whatever the message holds. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/log.h"
#include "json/json.h"

static const struct timespec when = {.tv_sec = 1700000000, .tv_nsec = 5};

START_TEST(test_log_json_line)
{
	const char *msg = "create \"c1\": bad\nthing\t\\";
	char *line = husk_log_format_line(HUSK_LOG_JSON, HUSK_LOG_ERROR, msg, &when);
	size_t len = strlen(line);
	ck_assert_int_eq(line[len - 1], '\n');
	ck_assert_ptr_null(memchr(line, '\n', len - 1));

	struct json_doc *doc = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(json_parse(line, len, &doc, &err), 0);
	const struct json_value *root = json_doc_root(doc);
	ck_assert_str_eq(json_object_get(root, "level")->string.str, "error");
	ck_assert_str_eq(json_object_get(root, "msg")->string.str, msg);
	ck_assert_str_eq(json_object_get(root, "time")->string.str,
	                 "2023-11-14T22:13:20.000000005Z");
	json_doc_free(doc);
	free(line);
}
END_TEST

START_TEST(test_log_text_line_quotes)
{
	char *line = husk_log_format_line(HUSK_LOG_TEXT, HUSK_LOG_DEBUG, "a \"b\"\nc\x01", &when);
	ck_assert_str_eq(line, "time=\"2023-11-14T22:13:20.000000005Z\" level=debug "
	                       "msg=\"a \\\"b\\\"\\nc\\x01\"\n");
	free(line);
}
END_TEST

START_TEST(test_log_write_appends_and_filters_debug)
{
	char path[] = "/tmp/husk-log-test.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "old\n", 4), 4);
	close(fd);

	struct husk_log log;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_log_open(&log, path, HUSK_LOG_JSON, false, &err), 0);
	husk_log_debug(&log, "hidden %d", 1);
	husk_log_write(&log, HUSK_LOG_ERROR, "shown");
	husk_log_close(&log);
	ck_assert_int_eq(log.fd, -1);

	char buf[512] = {0};
	fd = open(path, O_RDONLY);
	ck_assert_int_gt(read(fd, buf, sizeof(buf) - 1), 0);
	close(fd);
	unlink(path);
	ck_assert(!strncmp(buf, "old\n{\"level\":\"error\",\"msg\":\"shown\",", 34));
	ck_assert_ptr_null(strstr(buf, "hidden"));
}
END_TEST

START_TEST(test_log_open_failure_names_file)
{
	struct husk_log log;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_log_open(&log, "/nonexistent/dir/log", HUSK_LOG_TEXT, false, &err),
	                 -1);
	ck_assert_str_eq(err->msg,
	                 "open log file \"/nonexistent/dir/log\": No such file or directory");
	ck_assert_int_eq(log.fd, -1);
	husk_error_release(&err);
}
END_TEST

Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_log_json_line);
	tcase_add_test(tc, test_log_text_line_quotes);
	tcase_add_test(tc, test_log_write_appends_and_filters_debug);
	tcase_add_test(tc, test_log_open_failure_names_file);
	suite_add_tcase(s, tc);
	return s;
}
