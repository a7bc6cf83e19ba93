/* arb-bots-page.c: the bots, their state, and commands to them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every button of a row activates "bots.command" with the bot and the
 * command's name, so a keyboard, a test and a click take one path. A command
 * in flight shows a spinner in its row; its result, or its timeout, comes
 * back as a toast.
 *
 * The audit log below shows the newest commands, whoever sent them. It is
 * read from the store once, at start; after that ingest's "command-changed"
 * tells of every command and each change of its state, and updates one row.
 * Reading the store again on that signal would race the writer thread: the
 * new state is not committed yet when the signal comes.
 *
 * The messages the dashboard refused come last: the newest from the store's
 * log at start, then each one as ingest's "message-rejected" says it is
 * durable; the log's row tells which of those the first read had already.
 */
#define G_LOG_DOMAIN "arb-bots-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arb-bots-page.h"
#include "arb-dialogs.h"
#include "arb-format.h"

#define COMMAND_ROLE "desktop"
#define AUDIT_LIMIT  50
#define REJECTED_LIMIT 50
/* what a row shows of a raw message: its start, on one line */
#define RAW_PREVIEW_CHARS 160
#define RAW_TOOLTIP_CHARS 2000

typedef struct
{
  GtkWidget *row;
  GtkWidget *spinner;
  GtkWidget *buttons[3];
  guint      pending;
} BotRow;

static const struct
{
  const char *name;
  const char *icon;
  const char *tooltip;
} commands[] = {
  { "pause", "media-playback-pause-symbolic", N_("Pause") },
  { "resume", "media-playback-start-symbolic", N_("Resume") },
  { "stop", "media-playback-stop-symbolic", N_("Stop") },
};

typedef struct
{
  ArbCommand *command;
  GtkWidget  *row;
  GtkWidget  *status;
} AuditRow;

struct _ArbBotsPage
{
  AdwBin      parent_instance;

  GtkListBox *bot_list;
  GtkListBox *audit_list;
  GtkListBox *rejected_list;

  ArbEngine  *engine;
  GHashTable *rows;       /* bot_id -> BotRow */
  GPtrArray  *audit;      /* AuditRow, newest first, at most AUDIT_LIMIT */
  GPtrArray  *rejected;   /* GtkWidget* rows, newest first, at most REJECTED_LIMIT */
  gint64      rejected_row;  /* the newest row of the log shown */
};

G_DEFINE_FINAL_TYPE (ArbBotsPage, arb_bots_page, ADW_TYPE_BIN)

/* A command outlives the page when the window closes first. */
typedef struct
{
  GWeakRef  page;
  char     *bot_id;
  char     *name;
} CommandCall;

static void
command_call_free (CommandCall *call)
{
  g_weak_ref_clear (&call->page);
  g_free (call->bot_id);
  g_free (call->name);
  g_free (call);
}

/* ---------------------------------------------------------------- rows */

static void
update_row (ArbBotsPage *self, BotRow *r, ArbBotLink *link)
{
  g_autofree char *detail = arb_format_bot_detail (link);
  const char *name = arb_bot_link_get_name (link);
  gboolean connected = arb_bot_link_get_n_connections (link) > 0;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->row),
                                 name != NULL ? name : arb_bot_link_get_bot_id (link));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (r->row), detail);
  gtk_widget_set_visible (r->spinner, r->pending > 0);
  gtk_spinner_set_spinning (GTK_SPINNER (r->spinner), r->pending > 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      gtk_widget_set_visible (r->buttons[i], arb_bot_link_takes_command (link, commands[i].name));
      gtk_widget_set_sensitive (r->buttons[i], connected && r->pending == 0);
    }
}

static BotRow *
ensure_row (ArbBotsPage *self, ArbBotLink *link)
{
  const char *bot_id = arb_bot_link_get_bot_id (link);
  BotRow *r = g_hash_table_lookup (self->rows, bot_id);
  GtkWidget *box;

  if (r != NULL)
    return r;
  r = g_new0 (BotRow, 1);
  r->row = adw_action_row_new ();
  /* a bot names itself: its name is text, not markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (r->row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (r->row), 2);
  r->spinner = gtk_spinner_new ();
  gtk_widget_set_tooltip_text (r->spinner, _("Waiting for the bot’s answer"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (r->row), r->spinner);
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      r->buttons[i] = gtk_button_new_from_icon_name (commands[i].icon);
      gtk_widget_set_tooltip_text (r->buttons[i], _(commands[i].tooltip));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (r->buttons[i]), "bots.command");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (r->buttons[i]), "(ss)", bot_id,
                                        commands[i].name);
      gtk_widget_add_css_class (r->buttons[i], "flat");
      gtk_box_append (GTK_BOX (box), r->buttons[i]);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (r->row), box);
  gtk_list_box_append (self->bot_list, r->row);
  g_hash_table_insert (self->rows, g_strdup (bot_id), r);
  return r;
}

static void
on_bot_changed (ArbIngest *ingest, ArbBotLink *link, ArbBotsPage *self)
{
  update_row (self, ensure_row (self, link), link);
}

/* heartbeats change no state, but the row shows the time of the last one */
static void
on_event_committed (ArbIngest *ingest, const char *bot_id, gpointer data, ArbBotsPage *self)
{
  const ArbEvent *event = data;
  BotRow *r;

  if (event->type != ARB_MSG_HEARTBEAT || (r = g_hash_table_lookup (self->rows, bot_id)) == NULL)
    return;
  update_row (self, r, arb_ingest_lookup_bot (ingest, bot_id));
}

/* ---------------------------------------------------------------- commands */

static char *
describe_result (const ArbCommand *c)
{
  switch (c->status)
    {
    case ARB_COMMAND_OK:
      /* Translators: a bot's answer to a command, such as "demo: paused" */
      return g_strdup_printf (_("%s: %s"), c->bot_id, c->message);
    case ARB_COMMAND_FAILED:
      /* a whole sentence for each command: a verb pasted into a sentence cannot be translated */
      if (g_strcmp0 (c->name, "pause") == 0)
        /* Translators: the first %s is a bot, the second the bot's reason */
        return g_strdup_printf (_("%s could not pause: %s"), c->bot_id, c->message);
      if (g_strcmp0 (c->name, "resume") == 0)
        /* Translators: the first %s is a bot, the second the bot's reason */
        return g_strdup_printf (_("%s could not resume: %s"), c->bot_id, c->message);
      if (g_strcmp0 (c->name, "stop") == 0)
        /* Translators: the first %s is a bot, the second the bot's reason */
        return g_strdup_printf (_("%s could not stop: %s"), c->bot_id, c->message);
      /* Translators: the first %s is a bot, the second a command's name as the bot knows
       * it (not translated), the third the bot's reason */
      return g_strdup_printf (_("%s could not run “%s”: %s"), c->bot_id, c->name, c->message);
    case ARB_COMMAND_TIMEOUT:
      return g_strdup_printf (_("%s did not answer in time"), c->bot_id);
    case ARB_COMMAND_REJECTED:
    case ARB_COMMAND_PENDING:
    default:
      /* Translators: the first %s is a bot, the second the reason */
      return g_strdup_printf (_("Not sent to %s: %s"), c->bot_id, c->message);
    }
}

static void
command_done (const ArbCommand *command, gpointer data)
{
  CommandCall *call = data;
  g_autoptr(ArbBotsPage) self = g_weak_ref_get (&call->page);
  BotRow *r;

  if (self != NULL && (r = g_hash_table_lookup (self->rows, call->bot_id)) != NULL)
    {
      r->pending--;
      update_row (self, r, arb_ingest_lookup_bot (arb_engine_get_ingest (self->engine),
                                                  call->bot_id));
    }
  if (self != NULL)
    {
      g_autofree char *text = describe_result (command);

      /* urgent: the operator waits for it; outside a window nobody is told */
      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "(sb)", text, TRUE);
    }
  command_call_free (call);
}

static void
send_command (ArbBotsPage *self, const char *bot_id, const char *name)
{
  CommandCall *call = g_new0 (CommandCall, 1);
  ArbBotLink *link = arb_ingest_lookup_bot (arb_engine_get_ingest (self->engine), bot_id);
  BotRow *r = g_hash_table_lookup (self->rows, bot_id);

  g_weak_ref_init (&call->page, self);
  call->bot_id = g_strdup (bot_id);
  call->name = g_strdup (name);
  if (r != NULL && link != NULL)
    {
      r->pending++;
      update_row (self, r, link);
    }
  arb_ingest_send_command (arb_engine_get_ingest (self->engine), bot_id, name, NULL,
                           COMMAND_ROLE, NULL, command_done, call);
}

static void
on_stop_response (AdwMessageDialog *dialog, const char *response, ArbBotsPage *self)
{
  if (g_str_equal (response, "stop"))
    send_command (self, g_object_get_data (G_OBJECT (dialog), "bot-id"), "stop");
}

static void
confirm_stop (ArbBotsPage *self, const char *bot_id)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* Translators: %s is a bot */
  heading = g_strdup_printf (_("Stop %s?"), bot_id);
  dialog = arb_confirm_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("The bot stops looking for opportunities. Trades in flight "
                                     "still settle, and Resume starts it again."),
                                   "stop", _("_Stop"));
  g_object_set_data_full (G_OBJECT (dialog), "bot-id", g_strdup (bot_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_stop_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
command_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  ArbBotsPage *self = ARB_BOTS_PAGE (widget);
  const char *bot_id, *name;

  if (self->engine == NULL)
    return;
  g_variant_get (param, "(&s&s)", &bot_id, &name);
  if (g_str_equal (name, "stop"))
    confirm_stop (self, bot_id);
  else
    send_command (self, bot_id, name);
}

/* ---------------------------------------------------------------- audit log */

static void
audit_row_free (AuditRow *a)
{
  arb_command_free (a->command);
  g_free (a);
}

static const char *
command_label (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      return _(commands[i].tooltip);
  return name;
}

static char *
describe_sender (const ArbCommand *c)
{
  if (g_strcmp0 (c->role, COMMAND_ROLE) == 0)
    return g_strdup (_("From this window"));
  /* a token named after its role ("operator (environment)") says it once */
  if (c->token_name != NULL && (c->role == NULL || strstr (c->token_name, c->role) != NULL))
    /* Translators: who sent a command: a token's name, such as "By alice" */
    return g_strdup_printf (_("By %s"), c->token_name);
  if (c->token_name != NULL)
    /* Translators: who sent a command: a token's name and its role, such as "By ci (operator)" */
    return g_strdup_printf (_("By %s (%s)"), c->token_name, c->role);
  /* Translators: who sent a command: a role, such as "By operator" */
  return g_strdup_printf (_("By %s"), c->role != NULL ? c->role : "?");
}

/* The time of day; the date too when it is not today. */
static char *
format_when (gint64 ms)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (ms / 1000);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL || (g_date_time_get_year (when) == g_date_time_get_year (now) &&
                       g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now)))
    return arb_format_time (ms);
  return g_date_time_format (when, "%x %X");
}

/* what each ArbCommandStatus shows, in the named colours of both styles */
static const struct
{
  const char *label;
  const char *style;
} statuses[] = {
  [ARB_COMMAND_PENDING] = { N_("Pending"), "dim-label" },
  [ARB_COMMAND_OK] = { N_("Done"), "success" },
  [ARB_COMMAND_FAILED] = { N_("Failed"), "error" },
  [ARB_COMMAND_TIMEOUT] = { N_("Timed Out"), "warning" },
  [ARB_COMMAND_REJECTED] = { N_("Not Sent"), "error" },
};

static void
update_audit_row (AuditRow *a)
{
  const ArbCommand *c = a->command;
  guint status = MIN ((guint) c->status, G_N_ELEMENTS (statuses) - 1);
  const char *classes[] = { statuses[status].style, NULL };
  g_autofree char *sender = describe_sender (c);
  g_autofree char *when = format_when (c->created_ms);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  /* Translators: a command and the bot it went to, such as "Pause · demo" */
  title = g_strdup_printf (_("%s · %s"), command_label (c->name), c->bot_id);
  if (c->message != NULL && c->status != ARB_COMMAND_PENDING)
    subtitle = g_strdup_printf ("%s · %s\n%s", sender, when, c->message);
  else
    subtitle = g_strdup_printf ("%s · %s", sender, when);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (a->row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (a->row), subtitle);
  gtk_label_set_label (GTK_LABEL (a->status), _(statuses[status].label));
  gtk_widget_set_css_classes (a->status, classes);
}

static void
add_audit_row (ArbBotsPage *self, const ArbCommand *command, gboolean newest)
{
  AuditRow *a = g_new0 (AuditRow, 1);

  a->command = arb_command_copy (command);
  a->row = adw_action_row_new ();
  /* bots write the messages: text, not markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (a->row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (a->row), 3);
  a->status = gtk_label_new (NULL);
  gtk_widget_set_valign (a->status, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (a->row), a->status);
  update_audit_row (a);
  if (newest)
    {
      g_ptr_array_insert (self->audit, 0, a);
      gtk_list_box_insert (self->audit_list, a->row, 0);
    }
  else
    {
      g_ptr_array_add (self->audit, a);
      gtk_list_box_append (self->audit_list, a->row);
    }
  if (self->audit->len > AUDIT_LIMIT)
    {
      AuditRow *oldest = g_ptr_array_index (self->audit, self->audit->len - 1);

      gtk_list_box_remove (self->audit_list, oldest->row);
      g_ptr_array_remove_index (self->audit, self->audit->len - 1);
    }
}

static void
on_command_changed (ArbIngest *ingest, gpointer data, ArbBotsPage *self)
{
  const ArbCommand *command = data;

  for (guint i = 0; i < self->audit->len; i++)
    {
      AuditRow *a = g_ptr_array_index (self->audit, i);

      if (g_str_equal (a->command->id, command->id))
        {
          arb_command_free (a->command);
          a->command = arb_command_copy (command);
          update_audit_row (a);
          return;
        }
    }
  add_audit_row (self, command, TRUE);
}

static void
load_audit (ArbBotsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) audit = NULL;

  audit = arb_store_query_audit (arb_engine_get_store (self->engine), NULL, AUDIT_LIMIT, &error);
  if (audit == NULL)
    {
      g_warning ("Could not read the audit log: %s", error->message);
      return;
    }
  for (guint i = 0; i < audit->len; i++)
    add_audit_row (self, g_ptr_array_index (audit, i), FALSE);
}

/* ---------------------------------------------------------------- refused messages */

/* The start of @text, at most @max characters, on one line. */
static char *
preview (const char *text, guint max, gboolean one_line)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == max)
        {
          g_string_append (out, "…");
          break;
        }
      if (one_line && (c == '\n' || c == '\r' || c == '\t'))
        c = ' ';
      g_string_append_unichar (out, c);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static GtkWidget *
rejected_row_new (const ArbRejected *r)
{
  g_autofree char *raw = arb_rejected_dup_raw_text (r);
  g_autofree char *raw_line = preview (raw, RAW_PREVIEW_CHARS, TRUE);
  g_autofree char *tooltip = preview (raw, RAW_TOOLTIP_CHARS, FALSE);
  g_autofree char *when = format_when (r->ts);
  g_autofree char *title = NULL;
  g_autofree char *error = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *code = gtk_label_new (arb_error_code_name (r->code));

  if (r->bot_id != NULL && r->seq > 0)
    {
      g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, r->seq);

      /* Translators: a refused message: its bot and its seq, such as "demo · seq 42" */
      title = g_strdup_printf (_("%s · seq %s"), r->bot_id, seq);
    }
  else if (r->bot_id != NULL)
    title = g_strdup (r->bot_id);
  else
    title = g_strdup (_("Unknown bot"));
  if (r->field != NULL)
    /* Translators: an error about one field of a message: the field, then the error */
    error = g_strdup_printf (_("%s: %s"), r->field, r->message);
  else
    error = g_strdup (r->message);
  if (arb_rejected_is_truncated (r))
    {
      g_autofree char *size = g_format_size (r->raw_bytes);

      /* Translators: the time a message came, and its size (only its start was kept);
       * then the error and the message, each on a line of its own */
      subtitle = g_strdup_printf (_("%s · %s, kept in part\n%s\n%s"), when, size, error,
                                  raw_line);
    }
  else
    subtitle = g_strdup_printf ("%s\n%s\n%s", when, error, raw_line);
  /* bots and whoever holds a bot token wrote all of this: text, not markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_widget_set_tooltip_text (row, tooltip);
  gtk_widget_set_valign (code, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (code, r->code == ARB_ERROR_UNAVAILABLE ? "warning" : "error");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), code);
  return row;
}

static void
add_rejected_row (ArbBotsPage *self, const ArbRejected *r, gboolean newest)
{
  GtkWidget *row = rejected_row_new (r);

  self->rejected_row = MAX (self->rejected_row, r->row);
  if (newest)
    {
      g_ptr_array_insert (self->rejected, 0, row);
      gtk_list_box_insert (self->rejected_list, row, 0);
    }
  else
    {
      g_ptr_array_add (self->rejected, row);
      gtk_list_box_append (self->rejected_list, row);
    }
  if (self->rejected->len > REJECTED_LIMIT)
    {
      gtk_list_box_remove (self->rejected_list, g_ptr_array_index (self->rejected,
                                                                   self->rejected->len - 1));
      g_ptr_array_remove_index (self->rejected, self->rejected->len - 1);
    }
}

static void
on_message_rejected (ArbIngest *ingest, gpointer data, ArbBotsPage *self)
{
  const ArbRejected *r = data;

  /* committed before the first read, announced after it: shown already */
  if (r->row > self->rejected_row)
    add_rejected_row (self, r, TRUE);
}

static void
load_rejected (ArbBotsPage *self)
{
  ArbRejectedQuery q = { NULL, REJECTED_LIMIT, 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gint64 next = 0;

  page = arb_store_query_rejected (arb_engine_get_store (self->engine), &q, &next, &error);
  if (page == NULL)
    {
      g_warning ("Could not read the refused messages: %s", error->message);
      return;
    }
  for (guint i = 0; i < page->len; i++)
    add_rejected_row (self, g_ptr_array_index (page, i), FALSE);
}

/* ---------------------------------------------------------------- life cycle */

static void
arb_bots_page_dispose (GObject *object)
{
  ArbBotsPage *self = ARB_BOTS_PAGE (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (arb_bots_page_parent_class)->dispose (object);
}

static void
arb_bots_page_finalize (GObject *object)
{
  ArbBotsPage *self = ARB_BOTS_PAGE (object);

  g_hash_table_unref (self->rows);
  g_ptr_array_unref (self->audit);
  g_ptr_array_unref (self->rejected);

  G_OBJECT_CLASS (arb_bots_page_parent_class)->finalize (object);
}

static void
arb_bots_page_class_init (ArbBotsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_bots_page_dispose;
  object_class->finalize = arb_bots_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-bots-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbBotsPage, bot_list);
  gtk_widget_class_bind_template_child (widget_class, ArbBotsPage, audit_list);
  gtk_widget_class_bind_template_child (widget_class, ArbBotsPage, rejected_list);
  gtk_widget_class_install_action (widget_class, "bots.command", "(ss)", command_activated);
}

static void
arb_bots_page_init (ArbBotsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->audit = g_ptr_array_new_with_free_func ((GDestroyNotify) audit_row_free);
  self->rejected = g_ptr_array_new ();
}

/**
 * arb_bots_page_set_engine:
 * @engine: the engine whose bots to show
 *
 * Shows @engine's bots from now on; can be called once.
 */
void
arb_bots_page_set_engine (ArbBotsPage *self,
                          ArbEngine   *engine)
{
  ArbIngest *ingest;
  g_autoptr(GPtrArray) bots = NULL;

  g_return_if_fail (ARB_IS_BOTS_PAGE (self));
  g_return_if_fail (ARB_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  ingest = arb_engine_get_ingest (engine);
  g_signal_connect_object (ingest, "bot-changed", G_CALLBACK (on_bot_changed), self, 0);
  g_signal_connect_object (ingest, "event-committed", G_CALLBACK (on_event_committed), self, 0);
  /* the store holds every command sent before; the signal tells of every later change */
  load_audit (self);
  g_signal_connect_object (ingest, "command-changed", G_CALLBACK (on_command_changed), self, 0);
  load_rejected (self);
  g_signal_connect_object (ingest, "message-rejected", G_CALLBACK (on_message_rejected), self,
                           0);
  bots = arb_ingest_list_bots (ingest);
  for (guint i = 0; i < bots->len; i++)
    on_bot_changed (ingest, g_ptr_array_index (bots, i), self);
}

guint
arb_bots_page_get_n_bots (ArbBotsPage *self)
{
  g_return_val_if_fail (ARB_IS_BOTS_PAGE (self), 0);
  return g_hash_table_size (self->rows);
}

gboolean
arb_bots_page_has_bot (ArbBotsPage *self,
                       const char  *bot_id)
{
  g_return_val_if_fail (ARB_IS_BOTS_PAGE (self), FALSE);
  return g_hash_table_contains (self->rows, bot_id);
}

/**
 * arb_bots_page_get_n_pending:
 * @bot_id: a bot
 *
 * Returns: how many commands to @bot_id wait for their result
 */
guint
arb_bots_page_get_n_pending (ArbBotsPage *self,
                             const char  *bot_id)
{
  BotRow *r;

  g_return_val_if_fail (ARB_IS_BOTS_PAGE (self), 0);
  r = g_hash_table_lookup (self->rows, bot_id);
  return r != NULL ? r->pending : 0;
}

guint
arb_bots_page_get_n_audit (ArbBotsPage *self)
{
  g_return_val_if_fail (ARB_IS_BOTS_PAGE (self), 0);
  return self->audit->len;
}

/**
 * arb_bots_page_get_audit_row:
 * @index: 0 for the newest command
 *
 * Returns: (transfer none) (nullable): the audit log's row (an
 *   #AdwActionRow) of the @index-th newest command
 */
GtkWidget *
arb_bots_page_get_audit_row (ArbBotsPage *self,
                             guint        index)
{
  g_return_val_if_fail (ARB_IS_BOTS_PAGE (self), NULL);
  if (index >= self->audit->len)
    return NULL;
  return ((AuditRow *) g_ptr_array_index (self->audit, index))->row;
}

/**
 * arb_bots_page_get_audit_status:
 * @index: 0 for the newest command
 *
 * Returns: (nullable): the status that the row of the @index-th newest
 *   command shows, such as "Done"
 */
const char *
arb_bots_page_get_audit_status (ArbBotsPage *self,
                                guint        index)
{
  g_return_val_if_fail (ARB_IS_BOTS_PAGE (self), NULL);
  if (index >= self->audit->len)
    return NULL;
  return gtk_label_get_label (GTK_LABEL (((AuditRow *) g_ptr_array_index (self->audit,
                                                                         index))->status));
}

guint
arb_bots_page_get_n_rejected (ArbBotsPage *self)
{
  g_return_val_if_fail (ARB_IS_BOTS_PAGE (self), 0);
  return self->rejected->len;
}

/**
 * arb_bots_page_get_rejected_row:
 * @index: 0 for the newest refused message
 *
 * Returns: (transfer none) (nullable): the row (an #AdwActionRow) of the
 *   @index-th newest refused message
 */
GtkWidget *
arb_bots_page_get_rejected_row (ArbBotsPage *self,
                                guint        index)
{
  g_return_val_if_fail (ARB_IS_BOTS_PAGE (self), NULL);
  if (index >= self->rejected->len)
    return NULL;
  return g_ptr_array_index (self->rejected, index);
}
