/* A bump allocator for data that lives and dies together (a parsed JSON
 * tree, a decoded spec): one free releases everything, so decoders need no
 * per-field ownership rules and failure paths leak nothing. */
#pragma once

#include <stddef.h>

struct husk_arena;

struct husk_arena *husk_arena_new(void);
void husk_arena_free(struct husk_arena *arena);
/* Zeroed, aligned for any type; aborts when memory is exhausted. */
void *husk_arena_alloc(struct husk_arena *arena, size_t size);
/* n elements of size bytes each, overflow-checked. */
void *husk_arena_array(struct husk_arena *arena, size_t n, size_t size);
char *husk_arena_strdup(struct husk_arena *arena, const char *s);
char *husk_arena_strndup(struct husk_arena *arena, const char *s, size_t len);
