/* arb-hub.h: the one place where facts are published
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Topics and kinds of PROTOCOL.md ("Item kinds"). Interned: compare pointers. */
#define ARB_TOPIC_SYSTEM    "system"
#define ARB_TOPIC_TRADING   "trading"
#define ARB_TOPIC_RESOURCES "resources"
#define ARB_TOPIC_BOTS      "bots"
#define ARB_TOPIC_ALERTS    "alerts"
#define ARB_TOPIC_LOG       "log"

typedef struct
{
  gint64      seq;
  const char *topic;   /* interned */
  const char *kind;    /* interned */
  gint64      ts;
  char       *key;     /* gauges: what the latest value is of; NULL for discrete items */
  char       *json;    /* the data, a JSON object: serialised once for every consumer */
  gsize       json_len;
  /*< private >*/
  char       *envelope;
  gsize       envelope_len;
  gint        ref_count;
} ArbHubItem;

ArbHubItem *arb_hub_item_new   (gint64      seq,
                                const char *topic,
                                const char *kind,
                                gint64      ts,
                                const char *key,
                                char       *json);
const char *arb_hub_item_get_envelope (ArbHubItem *item,
                                gsize      *len);
ArbHubItem *arb_hub_item_ref   (ArbHubItem *item);
void        arb_hub_item_unref (ArbHubItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbHubItem, arb_hub_item_unref)

gboolean    arb_hub_item_is_discrete (const ArbHubItem *item);

#define ARB_TYPE_HUB (arb_hub_get_type ())

G_DECLARE_FINAL_TYPE (ArbHub, arb_hub, ARB, HUB, GObject)

/* Items whose publication waits for something (a commit) get their seq
 * now and go out, in seq order, once released. */
typedef struct _ArbHubTicket ArbHubTicket;

ArbHub       *arb_hub_new              (gint64        first_seq,
                                        guint         journal_size);
gint64        arb_hub_get_last_seq     (ArbHub       *self);
gint64        arb_hub_get_next_seq     (ArbHub       *self);
gint64        arb_hub_get_last_emitted_seq (ArbHub   *self);
gint64        arb_hub_get_first_seq    (ArbHub       *self);

ArbHubTicket *arb_hub_stage            (ArbHub       *self);
/* Adds an item (taking @json, a JSON object) to the ticket; returns its seq. */
gint64        arb_hub_ticket_add       (ArbHubTicket *ticket,
                                        const char   *topic,
                                        const char   *kind,
                                        gint64        ts,
                                        const char   *key,
                                        char         *json);
void          arb_hub_release          (ArbHub       *self,
                                        ArbHubTicket *ticket);
void          arb_hub_drop             (ArbHub       *self,
                                        ArbHubTicket *ticket);

/* Publishes one item now (after any staged tickets); takes @json. */
gint64        arb_hub_publish          (ArbHub       *self,
                                        const char   *topic,
                                        const char   *kind,
                                        gint64        ts,
                                        const char   *key,
                                        char         *json);
/* The same, taking a JSON node (for the less frequent items). */
gint64        arb_hub_publish_node     (ArbHub       *self,
                                        const char   *topic,
                                        const char   *kind,
                                        gint64        ts,
                                        const char   *key,
                                        JsonNode     *data);

/* Emits what was released so far ("published"); normally done by an idle
 * source once per main-loop turn. */
void          arb_hub_flush            (ArbHub       *self);

/* The latest gauge of each key on @topic, in seq order. */
GPtrArray    *arb_hub_get_latest       (ArbHub       *self,
                                        const char   *topic);
ArbHubItem   *arb_hub_lookup_latest    (ArbHub       *self,
                                        const char   *topic,
                                        const char   *kind,
                                        const char   *key);
/* Discrete items after @since from the journal, or NULL when the journal
 * no longer reaches back that far (the caller then reads the store). */
GPtrArray    *arb_hub_replay_since     (ArbHub       *self,
                                        gint64        since);
gint64        arb_hub_get_journal_first_seq (ArbHub *self);
gint64        arb_hub_get_journal_covered_from (ArbHub *self);

/* A crash must never make seq go backwards, so the owner persists a
 * reservation: the hub emits "reserve" (gint64 up_to) before it hands out
 * seqs above the last reservation, and the owner stores up_to durably. */
void          arb_hub_set_reserved     (ArbHub       *self,
                                        gint64        reserved);

G_END_DECLS
