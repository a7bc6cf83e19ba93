/* arb-store-batch-private.h: what a batch holds, for the store's writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not API: arb-store-batch.c fills it, the writer (arb-store-write.c) and
 * the queue (arb-store.c) read it.
 */
#pragma once

#include "arb-store-batch.h"

G_BEGIN_DECLS

struct _ArbStoreBatch
{
  char              *bot_id;
  GPtrArray         *events;     /* ArbEvent*, owned */
  GArray            *hub_seqs;   /* gint64, parallel to events */
  gint64             prev_seq;   /* the stored last_seq this batch continues */
  gint64             last_seq;   /* 0: unchanged */
  ArbHello          *hello;      /* owned copy of the strings, or NULL */
  gint64             seen_ms;
  GPtrArray         *commands;   /* ArbCommand*, owned */
  GPtrArray         *series;     /* SeriesBlob*, owned */
  GArray            *meta;       /* MetaValue */
  GPtrArray         *alerts;     /* ArbAlert*, owned */
  GPtrArray         *rejected;   /* ArbRejected*, owned */
  ArbStoreBatchDone  done;
  gpointer           done_data;
};

typedef struct
{
  char   *name;
  guint   tier;
  GBytes *blob;
} SeriesBlob;

typedef struct
{
  char   *key;
  gint64  value;
} MetaValue;

G_END_DECLS
