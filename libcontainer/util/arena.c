/* Bump allocation in chunks; large requests get a chunk of their own so a
 * big string does not waste the rest of a normal chunk. */
#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define CHUNK_SIZE (16u * 1024)
#define ALIGN      alignof(max_align_t)

struct chunk {
	struct chunk *next;
	size_t used;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

struct husk_arena {
	struct chunk *head;
};

struct husk_arena *husk_arena_new(void)
{
	return xzalloc(sizeof(struct husk_arena));
}

void husk_arena_free(struct husk_arena *arena)
{
	if (!arena)
		return;
	struct chunk *c = arena->head;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(arena);
}

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = xmalloc(sizeof(*c) + size);
	c->next = NULL;
	c->used = 0;
	c->size = size;
	return c;
}

void *husk_arena_alloc(struct husk_arena *arena, size_t size)
{
	size_t rounded = (size + ALIGN - 1) & ~(ALIGN - 1);
	if (rounded < size)
		abort();
	struct chunk *c = arena->head;
	if (rounded > CHUNK_SIZE / 4) {
		/* Own chunk, linked behind the head so the head keeps its space. */
		struct chunk *big = chunk_new(rounded);
		big->used = rounded;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			arena->head = big;
		}
		memset(big->data, 0, rounded);
		return big->data;
	}
	if (!c || c->size - c->used < rounded) {
		c = chunk_new(CHUNK_SIZE);
		c->next = arena->head;
		arena->head = c;
	}
	void *p = c->data + c->used;
	c->used += rounded;
	memset(p, 0, rounded);
	return p;
}

void *husk_arena_array(struct husk_arena *arena, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		abort();
	return husk_arena_alloc(arena, n * size);
}

char *husk_arena_strndup(struct husk_arena *arena, const char *s, size_t len)
{
	char *p = husk_arena_alloc(arena, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *husk_arena_strdup(struct husk_arena *arena, const char *s)
{
	return husk_arena_strndup(arena, s, strlen(s));
}
