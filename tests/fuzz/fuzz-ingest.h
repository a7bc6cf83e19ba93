/* fuzz-ingest.h: an ingest over a real store, fresh for each input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "arb-hub.h"
#include "arb-ingest.h"

G_BEGIN_DECLS

typedef struct
{
  ArbHub    *hub;
  ArbIngest *ingest;
  gpointer   priv;
} FuzzIngest;

/* A hub, an ingest, a ledger and a set of series wired as the engine wires
 * them, over the store the process keeps (opened on first use). */
void fuzz_ingest_begin (FuzzIngest *fi);
/* Commits what is pending, runs what it set off, frees everything and
 * empties the store, so that the next input starts from the same state. */
void fuzz_ingest_end   (FuzzIngest *fi);

G_END_DECLS
