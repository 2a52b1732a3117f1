/* Decoder for "linux.seccomp".  Actions, operators, architectures and
 * flags stay strings: validate.c checks them against names.c, and
 * seccomp.c maps them to libseccomp values when the filter is built.
 *
 * errnoRet and args[].index are Go uints; errno values and syscall argument
 * indexes both fit in 32 bits, which is what the struct keeps.
 */
#include "spec/decode.h"

static int dec_arg(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_seccomp_arg *a = item;
	int r = spec_dec_u32(d, v, "index", &a->index, NULL);
	if (r >= 0)
		r = spec_dec_u64(d, v, "value", &a->value, NULL);
	if (r >= 0)
		r = spec_dec_u64(d, v, "valueTwo", &a->value_two, &a->has_value_two);
	if (r >= 0)
		r = spec_dec_string(d, v, "op", &a->op);
	return r;
}

static int dec_syscall(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_seccomp_syscall *s = item;
	int r = spec_dec_strings(d, v, "names", &s->names, &s->n_names);
	if (r >= 0)
		r = spec_dec_string(d, v, "action", &s->action);
	if (r >= 0)
		r = spec_dec_u32(d, v, "errnoRet", &s->errno_ret, &s->has_errno_ret);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "args", dec_arg, &s->args, &s->n_args);
	return r;
}

int spec_dec_seccomp(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_seccomp *sc = item;
	int r = spec_dec_string(d, v, "defaultAction", &sc->default_action);
	if (r >= 0)
		r = spec_dec_u32(d, v, "defaultErrnoRet", &sc->default_errno_ret,
		                 &sc->has_default_errno_ret);
	if (r >= 0)
		r = spec_dec_strings(d, v, "architectures", &sc->architectures,
		                     &sc->n_architectures);
	if (r >= 0)
		r = spec_dec_strings(d, v, "flags", &sc->flags, &sc->n_flags);
	if (r >= 0)
		r = spec_dec_string(d, v, "listenerPath", &sc->listener_path);
	if (r >= 0)
		r = spec_dec_string(d, v, "listenerMetadata", &sc->listener_metadata);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "syscalls", dec_syscall, &sc->syscalls, &sc->n_syscalls);
	return r;
}
