/* arb-peer-limit.c: a token bucket per peer address, in bounded memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each peer has a bucket of @burst tries that refills by one every
 * @refill_ms. A peer whose bucket is full again is forgotten: it is as
 * good as new, so the table only holds peers that failed recently. When
 * more than @max_peers failed recently, the one closest to being forgiven
 * (the fullest bucket) makes room.
 */
#define G_LOG_DOMAIN "arb-peer-limit"

#include "config.h"

#include <math.h>

#include "arb-peer-limit.h"

typedef struct
{
  double   tries;      /* left, at updated_us */
  gint64   updated_us;
  gboolean emptied;    /* ran empty in this episode (logged) */
} Bucket;

struct _ArbPeerLimit
{
  guint       burst;
  gint64      refill_us;
  guint       max_peers;
  GHashTable *peers;   /* peer -> Bucket */
};

ArbPeerLimit *
arb_peer_limit_new (guint burst,
                    guint refill_ms,
                    guint max_peers)
{
  ArbPeerLimit *self = g_new0 (ArbPeerLimit, 1);

  g_return_val_if_fail (burst > 0 && refill_ms > 0 && max_peers > 0, NULL);

  self->burst = burst;
  self->refill_us = (gint64) refill_ms * 1000;
  self->max_peers = max_peers;
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
arb_peer_limit_free (ArbPeerLimit *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->peers);
  g_free (self);
}

static double
tries_at (ArbPeerLimit *self, const Bucket *b, gint64 now_us)
{
  double gained = (double) MAX (now_us - b->updated_us, 0) / (double) self->refill_us;

  return MIN ((double) self->burst, b->tries + gained);
}

/* Forgets every peer whose bucket is full again. */
static void
prune (ArbPeerLimit *self, gint64 now_us)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (tries_at (self, value, now_us) >= self->burst)
      g_hash_table_iter_remove (&iter);
}

/* Makes room for one more peer: the full ones go, else the fullest. */
static void
make_room (ArbPeerLimit *self, gint64 now_us)
{
  GHashTableIter iter;
  gpointer key, value;
  gpointer fullest = NULL;
  double most = -1;

  prune (self, now_us);
  if (g_hash_table_size (self->peers) < self->max_peers)
    return;
  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double t = tries_at (self, value, now_us);

      if (t > most)
        most = t, fullest = key;
    }
  g_hash_table_remove (self->peers, fullest);
}

guint
arb_peer_limit_wait (ArbPeerLimit *self,
                     const char   *peer,
                     gint64        now_us)
{
  Bucket *b = g_hash_table_lookup (self->peers, peer);
  double tries;

  if (b == NULL)
    return 0;
  tries = tries_at (self, b, now_us);
  if (tries >= 1)
    return 0;
  /* whole seconds, rounded up: a client that waits that long is let in */
  return (guint) MAX (1, ceil ((1 - tries) * (double) self->refill_us / G_USEC_PER_SEC));
}

gboolean
arb_peer_limit_take (ArbPeerLimit *self,
                     const char   *peer,
                     gint64        now_us)
{
  Bucket *b = g_hash_table_lookup (self->peers, peer);
  gboolean new_episode;

  if (b != NULL && tries_at (self, b, now_us) >= self->burst)
    {
      /* full again since: a new episode */
      g_hash_table_remove (self->peers, peer);
      b = NULL;
    }
  if (b == NULL)
    {
      if (g_hash_table_size (self->peers) >= self->max_peers)
        make_room (self, now_us);
      b = g_new0 (Bucket, 1);
      b->tries = self->burst;
      b->updated_us = now_us;
      g_hash_table_insert (self->peers, g_strdup (peer), b);
    }
  b->tries = MAX (0, tries_at (self, b, now_us) - 1);
  b->updated_us = now_us;
  new_episode = b->tries < 1 && !b->emptied;
  if (b->tries < 1)
    b->emptied = TRUE;
  return new_episode;
}

guint
arb_peer_limit_get_size (ArbPeerLimit *self,
                         gint64        now_us)
{
  prune (self, now_us);
  return g_hash_table_size (self->peers);
}
