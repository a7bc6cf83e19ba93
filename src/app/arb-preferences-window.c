/* arb-preferences-window.c: the settings a user may change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every row is bound to a key of the io.github.arbdash.Arbdash schema. The
 * sample interval and the alert thresholds apply at once; the listen address,
 * the port and the demo bot at the next start, and their rows say so.
 *
 * Tokens are secrets and stay out of GSettings: the Access page writes them to
 * the configuration file (arb_config_create_token_full(), with the bot IDs a
 * bot token is bound to) and changes the configuration the server checks, so
 * they apply to new connections at once.
 */
#define G_LOG_DOMAIN "arb-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arb-dialogs.h"
#include "arb-preferences-window.h"

struct _ArbPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GtkEntry             *address_entry;

  ArbConfig            *config;        /* borrowed: the one the server checks */
  AdwPreferencesGroup  *tokens_group;
  GPtrArray            *token_rows;    /* GtkWidget*, owned by the group */
  AdwMessageDialog     *dialog;        /* weak: the one open */
  char                 *error;         /* the last error shown */
};

G_DEFINE_FINAL_TYPE (ArbPreferencesWindow, arb_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GtkWidget *
add_row (AdwPreferencesGroup *group, const char *title, const char *subtitle, GtkWidget *suffix)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), suffix);
  adw_preferences_group_add (group, row);
  return row;
}

static void
add_spin_row (ArbPreferencesWindow *self, AdwPreferencesGroup *group, const char *title,
              const char *subtitle, const char *key, double min, double max, double step,
              guint digits)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  g_settings_bind (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  add_row (group, title, subtitle, spin);
}

/* Only a valid IP address is stored: a half-typed one would stop the next start. */
static void
on_address_changed (GtkEditable *editable, ArbPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (editable);
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

  if (address == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (editable), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
  g_settings_set_string (self->settings, "listen-address", text);
}

static AdwPreferencesGroup *
add_group (AdwPreferencesPage *page, const char *title, const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (group));
  return ADW_PREFERENCES_GROUP (group);
}

static AdwPreferencesPage *
add_page (ArbPreferencesWindow *self, const char *title, const char *icon)
{
  GtkWidget *page = adw_preferences_page_new ();

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), title);
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), icon);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  return ADW_PREFERENCES_PAGE (page);
}

static void
build_general (ArbPreferencesWindow *self)
{
  AdwPreferencesPage *page = add_page (self, _("General"), "emblem-system-symbolic");
  AdwPreferencesGroup *group;
  GtkWidget *demo = gtk_switch_new ();
  g_autofree char *address = g_settings_get_string (self->settings, "listen-address");

  group = add_group (page, _("Server"),
                     _("Bots and browsers connect to the dashboard at this address."));
  self->address_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), address);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->address_entry), 15);
  g_signal_connect_object (self->address_entry, "changed", G_CALLBACK (on_address_changed),
                           self, 0);
  add_row (group, _("Listen Address"),
           _("127.0.0.1 accepts connections from this computer only, 0.0.0.0 from the "
             "network. Applies after a restart."),
           GTK_WIDGET (self->address_entry));
  add_spin_row (self, group, _("Port"), _("Applies after a restart."), "port", 1, 65535, 1, 0);

  group = add_group (page, _("Data"), NULL);
  add_spin_row (self, group, _("Sample Interval"),
                _("Milliseconds between two readings of CPU, memory, network and disks."),
                "sample-interval-ms", 100, 60000, 100, 0);
  add_spin_row (self, group, _("Keep Data For"),
                _("Days of trades, logs and commands kept in the database. Older ones are "
                  "deleted."),
                "retention-days", 1, 3650, 1, 0);
  g_settings_bind (self->settings, "demo-bot", demo, "active", G_SETTINGS_BIND_DEFAULT);
  add_row (group, _("Demo Bot"),
           _("A simulated bot, so the dashboard shows data before a real bot connects. It "
             "trades nothing. Applies after a restart."),
           demo);
}

static void
build_alerts (ArbPreferencesWindow *self)
{
  AdwPreferencesPage *page = add_page (self, _("Alerts"), "dialog-warning-symbolic");
  AdwPreferencesGroup *group;

  group = add_group (page, _("This Computer"), _("Changes apply at once."));
  add_spin_row (self, group, _("CPU Usage"), _("Percent of all cores."),
                "cpu-alert-percent", 1, 100, 1, 0);
  add_spin_row (self, group, _("CPU Usage Duration"),
                _("Seconds the CPU usage must stay above its threshold."),
                "cpu-alert-seconds", 1, 86400, 1, 0);
  add_spin_row (self, group, _("Memory Usage"), _("Percent of the memory in use."),
                "memory-alert-percent", 1, 100, 1, 0);
  add_spin_row (self, group, _("Disk Usage"), _("Percent of the database’s disk in use."),
                "disk-alert-percent", 1, 100, 1, 0);

  group = add_group (page, _("Bots"), _("Changes apply at once."));
  add_spin_row (self, group, _("Losing Streak"),
                _("Trades in a row that lost money or failed."),
                "losing-streak", 1, 10000, 1, 0);
  add_spin_row (self, group, _("Gas Price Spike"), _("Gas price in gwei."),
                "gas-spike-gwei", 0, 1000000, 1, 0);
}

/* ---------------------------------------------------------------- access */

#define NAME_ROW_KEY "arb-name-row"
#define ROLE_ROW_KEY "arb-role-row"
#define IDS_ROW_KEY  "arb-bot-ids-row"
#define TOKEN_KEY    "arb-token-name"

/* In the order of the Add Token dialog's role row. */
static const ArbRole role_choices[] = { ARB_ROLE_VIEWER, ARB_ROLE_OPERATOR, ARB_ROLE_BOT };

static const char *
role_label (ArbRole role)
{
  switch (role)
    {
    case ARB_ROLE_VIEWER:
      return _("Viewer");
    case ARB_ROLE_OPERATOR:
      return _("Operator");
    case ARB_ROLE_BOT:
      return _("Bot");
    case ARB_ROLE_NONE:
    default:
      return "";
    }
}

/* The secret is in the label too, where GTK keeps it; this copy at least goes. */
static void
wipe_free (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static void
report_error (ArbPreferencesWindow *self, const char *what, const GError *error)
{
  g_autofree char *escaped = NULL;
  const char *hint;
  AdwToast *toast;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    hint = _("Choose another name.");
  else if (error->domain == G_KEY_FILE_ERROR)
    hint = _("Correct the file in a text editor, then try again.");
  else if (error->domain == G_FILE_ERROR)
    hint = _("Make sure you may write to the file and its folder, then try again.");
  else
    hint = "";
  g_free (self->error);
  /* Translators: "Cannot add the token: why. What to do." */
  self->error = g_strdup_printf (_("%s: %s. %s"), what, error->message, hint);
  g_strchomp (self->error);
  /* a toast's title is markup; paths may hold '&' */
  escaped = g_markup_escape_text (self->error, -1);
  toast = adw_toast_new (escaped);
  /* it says what to do: it stays until it is read */
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static void
add_token_row (ArbPreferencesWindow *self, const ArbToken *token)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), token->name);
  if (token->source == ARB_TOKEN_FROM_ENVIRONMENT)
    {
      /* Translators: a token's role, then the variable it comes from:
       * "Bot · Environment variable ARBDASH_BOT_TOKEN" */
      subtitle = g_strdup_printf (_("%s · Environment variable %s"), role_label (token->role),
                                  arb_config_env_var (token->role));
      gtk_widget_set_tooltip_text (row, _("To remove it, unset the variable and restart "
                                          "arbdash."));
    }
  else
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      /* Translators: %s is a token's name */
      g_autofree char *label = g_strdup_printf (_("Remove Token “%s”"), token->name);

      /* Translators: a token's role, then where it is kept: "Operator · Configuration file" */
      subtitle = g_strdup_printf (_("%s · Configuration file"), role_label (token->role));
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "tokens.remove");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", token->name);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
    }
  /* revision 1.1: a bot token may be bound to the bot_ids it speaks for */
  if (token->role == ARB_ROLE_BOT)
    {
      g_autofree char *where = g_steal_pointer (&subtitle);
      g_autofree char *ids = token->bot_ids != NULL ? g_strjoinv (", ", token->bot_ids) : NULL;

      if (ids != NULL)
        /* Translators: the line above ("Bot · Configuration file"), then the
         * bot IDs the token may speak for: "… · Bots arb-eu-1, arb-eu-2" */
        subtitle = g_strdup_printf (_("%s · Bots %s"), where, ids);
      else
        /* Translators: the line above ("Bot · Configuration file"); the token
         * may report for any bot ID */
        subtitle = g_strdup_printf (_("%s · Any bot"), where);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_group_add (self->tokens_group, row);
  g_ptr_array_add (self->token_rows, row);
}

static void
rebuild_token_rows (ArbPreferencesWindow *self)
{
  for (guint i = 0; i < self->token_rows->len; i++)
    adw_preferences_group_remove (self->tokens_group, g_ptr_array_index (self->token_rows, i));
  g_ptr_array_set_size (self->token_rows, 0);
  for (guint i = 0; i < self->config->tokens->len; i++)
    add_token_row (self, g_ptr_array_index (self->config->tokens, i));
  if (self->config->tokens->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Tokens"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("No bot or browser can connect over the network until "
                                     "you add a token."));
      adw_preferences_group_add (self->tokens_group, row);
      g_ptr_array_add (self->token_rows, row);
    }
}

static void
present_dialog (ArbPreferencesWindow *self, GtkWidget *dialog)
{
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_set_weak_pointer (&self->dialog, ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
forget_dialog (ArbPreferencesWindow *self, AdwMessageDialog *dialog)
{
  if (self->dialog == dialog)
    g_clear_weak_pointer (&self->dialog);
}

static void
on_dialog_done (AdwMessageDialog *dialog, const char *response, ArbPreferencesWindow *self)
{
  forget_dialog (self, dialog);
}

static void
on_copy_clicked (GtkButton *button, const char *secret)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), secret);
  gtk_button_set_label (button, _("Copied"));
}

/* The only time the secret is shown: the file keeps it, the window never again. */
static void
show_secret (ArbPreferencesWindow *self, const char *name, const char *secret)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Copy the Token Now"), NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (secret);
  GtkWidget *copy = gtk_button_new_with_mnemonic (_("_Copy"));

  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: %s is the new token's name */
                                  _("Give this secret to the bot or the person that uses “%s”. "
                                    "It is not shown again: if it is lost, remove the token "
                                    "and add a new one."), name);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  g_signal_connect_data (copy, "clicked", G_CALLBACK (on_copy_clicked), g_strdup (secret),
                         (GClosureNotify) (void (*) (void)) wipe_free, 0);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), copy);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Done"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_dialog_done), self, 0);
  present_dialog (self, dialog);
}

static gboolean
name_is_free (ArbPreferencesWindow *self, const char *name)
{
  return arb_config_is_token_name (name) && arb_config_find_token (self->config, name) == NULL;
}

static gboolean
role_is_bot (AdwComboRow *role_row)
{
  guint choice = adw_combo_row_get_selected (role_row);

  return choice < G_N_ELEMENTS (role_choices) && role_choices[choice] == ARB_ROLE_BOT;
}

/* The bot IDs typed for a bot token: NULL with *ok when left empty (any bot). */
static char **
typed_bot_ids (GtkEditable *ids_row, gboolean *ok)
{
  const char *text = gtk_editable_get_text (ids_row);
  char **ids;

  *ok = TRUE;
  if (strspn (text, ";, \t") == strlen (text))
    return NULL;
  ids = arb_config_parse_bot_ids (text, NULL);
  *ok = ids != NULL;
  return ids;
}

static void
set_error_class (GtkWidget *widget, gboolean error)
{
  if (error)
    gtk_widget_add_css_class (widget, "error");
  else
    gtk_widget_remove_css_class (widget, "error");
}

/* Add is on for a free name and, for a bot token, bot IDs that parse (or none). */
static void
update_add (ArbPreferencesWindow *self)
{
  GtkEditable *name_row, *ids_row;
  AdwComboRow *role_row;
  const char *name;
  g_auto(GStrv) ids = NULL;
  gboolean name_ok, ids_ok, bot;

  if (self->dialog == NULL)
    return;
  name_row = g_object_get_data (G_OBJECT (self->dialog), NAME_ROW_KEY);
  role_row = g_object_get_data (G_OBJECT (self->dialog), ROLE_ROW_KEY);
  ids_row = g_object_get_data (G_OBJECT (self->dialog), IDS_ROW_KEY);
  if (name_row == NULL || role_row == NULL || ids_row == NULL)
    return;
  name = gtk_editable_get_text (name_row);
  name_ok = name_is_free (self, name);
  bot = role_is_bot (role_row);
  ids = typed_bot_ids (ids_row, &ids_ok);
  set_error_class (GTK_WIDGET (name_row), !name_ok && *name != '\0');
  set_error_class (GTK_WIDGET (ids_row), !ids_ok);
  gtk_widget_set_visible (GTK_WIDGET (ids_row), bot);
  adw_message_dialog_set_response_enabled (self->dialog, "add", name_ok && (!bot || ids_ok));
}

static void
on_add_row_changed (GObject *row, GParamSpec *pspec, ArbPreferencesWindow *self)
{
  update_add (self);
}

static void
on_name_changed (GtkEditable *editable, ArbPreferencesWindow *self)
{
  update_add (self);
}

static void
on_add_response (AdwMessageDialog *dialog, const char *response, ArbPreferencesWindow *self)
{
  GtkEditable *name_row = g_object_get_data (G_OBJECT (dialog), NAME_ROW_KEY);
  AdwComboRow *role_row = g_object_get_data (G_OBJECT (dialog), ROLE_ROW_KEY);
  GtkEditable *ids_row = g_object_get_data (G_OBJECT (dialog), IDS_ROW_KEY);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  gboolean ids_ok = TRUE;
  char *secret;
  guint choice;

  forget_dialog (self, dialog);
  if (!g_str_equal (response, "add"))
    return;
  choice = adw_combo_row_get_selected (role_row);
  g_return_if_fail (choice < G_N_ELEMENTS (role_choices));
  if (role_choices[choice] == ARB_ROLE_BOT)
    ids = typed_bot_ids (ids_row, &ids_ok);
  g_return_if_fail (ids_ok);
  secret = arb_config_create_token_full (self->config, gtk_editable_get_text (name_row),
                                         role_choices[choice], (const char *const *) ids,
                                         &error);
  if (secret == NULL)
    {
      report_error (self, _("Cannot add the token"), error);
      return;
    }
  rebuild_token_rows (self);
  show_secret (self, gtk_editable_get_text (name_row), secret);
  wipe_free (secret);
}

static void
add_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  ArbPreferencesWindow *self = ARB_PREFERENCES_WINDOW (widget);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Add Token"), NULL);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *name_row = adw_entry_row_new ();
  GtkWidget *role_row = adw_combo_row_new ();
  GtkWidget *ids_row = adw_entry_row_new ();
  const char *roles[G_N_ELEMENTS (role_choices) + 1] = { NULL };
  g_autoptr(GtkStringList) model = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (role_choices); i++)
    roles[i] = role_label (role_choices[i]);
  model = gtk_string_list_new (roles);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("Bots connect with a bot token, browsers and scripts with a "
                                 "viewer token, or an operator token to send commands. The "
                                 "name shows in the audit log: letters, digits, “.”, “_”, “-” "
                                 "and “@”. A bot token may be limited to the bot IDs it "
                                 "reports for, separated by commas; left empty, it may report "
                                 "for any bot."));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (name_row), _("Name"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (name_row), TRUE);
  g_signal_connect_object (name_row, "changed", G_CALLBACK (on_name_changed), self, 0);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (role_row), _("Role"));
  adw_combo_row_set_model (ADW_COMBO_ROW (role_row), G_LIST_MODEL (model));
  g_signal_connect_object (role_row, "notify::selected", G_CALLBACK (on_add_row_changed), self,
                           0);
  /* Translators: the row of the bot IDs a bot token may report for */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (ids_row), _("Bot IDs (any if empty)"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (ids_row), TRUE);
  gtk_widget_set_visible (ids_row, FALSE);
  g_signal_connect_object (ids_row, "changed", G_CALLBACK (on_name_changed), self, 0);
  gtk_list_box_append (GTK_LIST_BOX (list), name_row);
  gtk_list_box_append (GTK_LIST_BOX (list), role_row);
  gtk_list_box_append (GTK_LIST_BOX (list), ids_row);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  g_object_set_data (G_OBJECT (dialog), NAME_ROW_KEY, name_row);
  g_object_set_data (G_OBJECT (dialog), ROLE_ROW_KEY, role_row);
  g_object_set_data (G_OBJECT (dialog), IDS_ROW_KEY, ids_row);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "add", _("_Add"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "add");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_add_response), self, 0);
  present_dialog (self, dialog);
  gtk_widget_grab_focus (name_row);
}

static void
on_remove_response (AdwMessageDialog *dialog, const char *response, ArbPreferencesWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), TOKEN_KEY);
  g_autoptr(GError) error = NULL;

  forget_dialog (self, dialog);
  if (!g_str_equal (response, "remove"))
    return;
  if (!arb_config_remove_token (self->config, name, &error))
    report_error (self, _("Cannot remove the token"), error);
  rebuild_token_rows (self);
}

static void
remove_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  ArbPreferencesWindow *self = ARB_PREFERENCES_WINDOW (widget);
  const char *name = g_variant_get_string (param, NULL);
  const ArbToken *token = arb_config_find_token (self->config, name);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* nothing to confirm: the core says why it cannot be removed */
  if (token == NULL || token->source != ARB_TOKEN_FROM_FILE)
    {
      g_autoptr(GError) error = NULL;

      if (!arb_config_remove_token (self->config, name, &error))
        report_error (self, _("Cannot remove the token"), error);
      return;
    }
  /* Translators: %s is a token's name */
  heading = g_strdup_printf (_("Remove Token “%s”?"), name);
  dialog = arb_confirm_dialog_new (GTK_WINDOW (self), heading,
                                   _("Bots and browsers using it can no longer connect. "
                                     "Connections open now stay open until they close."),
                                   "remove", _("_Remove"));
  g_object_set_data_full (G_OBJECT (dialog), TOKEN_KEY, g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  present_dialog (self, dialog);
}

static void
build_access (ArbPreferencesWindow *self)
{
  AdwPreferencesPage *page = add_page (self, _("Access"), "dialog-password-symbolic");
  g_autofree char *path = arb_config_dup_save_path (self->config);
  /* a group's description is markup; paths may hold '&' */
  g_autofree char *escaped = g_markup_escape_text (path, -1);
  g_autofree char *description = NULL;
  GtkWidget *add = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  adw_preferences_page_set_name (page, "access");
  /* Translators: %s is the configuration file's path */
  description = g_strdup_printf (_("Bots, browsers and scripts connect with a token. Tokens "
                                   "added here are saved in %s, readable by you only (mode "
                                   "0600), and apply to new connections at once."), escaped);
  self->tokens_group = add_group (page, _("Tokens"), description);
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_Add Token"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (add), content);
  gtk_widget_add_css_class (add, "flat");
  gtk_widget_set_valign (add, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "tokens.add");
  adw_preferences_group_set_header_suffix (self->tokens_group, add);
  rebuild_token_rows (self);
}

static void
arb_preferences_window_dispose (GObject *object)
{
  ArbPreferencesWindow *self = ARB_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->dialog);
  g_clear_pointer (&self->token_rows, g_ptr_array_unref);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (arb_preferences_window_parent_class)->dispose (object);
}

static void
arb_preferences_window_class_init (ArbPreferencesWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arb_preferences_window_dispose;

  gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), "tokens.add", NULL, add_activated);
  gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), "tokens.remove", "s",
                                   remove_activated);
}

static void
arb_preferences_window_init (ArbPreferencesWindow *self)
{
  self->token_rows = g_ptr_array_new ();
}

/**
 * arb_preferences_window_new:
 * @settings: the io.github.arbdash.Arbdash settings
 * @config: (transfer none): the configuration the server checks tokens against
 *   (the engine's); it must outlive the window
 *
 * Returns: (transfer none): a new preferences window
 */
ArbPreferencesWindow *
arb_preferences_window_new (GSettings *settings,
                            ArbConfig *config)
{
  ArbPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (ARB_TYPE_PREFERENCES_WINDOW,
                       "modal", TRUE,
                       "search-enabled", FALSE,
                       NULL);
  self->settings = g_object_ref (settings);
  self->config = config;
  build_general (self);
  build_alerts (self);
  build_access (self);
  return self;
}

/**
 * arb_preferences_window_reload_tokens:
 * @self: the window
 *
 * Lists the tokens again: the configuration file changed under the running
 * app (`arbdash token add|remove`, an editor) and ArbConfigWatch read it.
 */
void
arb_preferences_window_reload_tokens (ArbPreferencesWindow *self)
{
  g_return_if_fail (ARB_IS_PREFERENCES_WINDOW (self));

  rebuild_token_rows (self);
}

/**
 * arb_preferences_window_get_token_row:
 * @name: a token's name
 *
 * Returns: (transfer none) (nullable): the Access page's row of the token @name
 */
GtkWidget *
arb_preferences_window_get_token_row (ArbPreferencesWindow *self,
                                      const char           *name)
{
  g_return_val_if_fail (ARB_IS_PREFERENCES_WINDOW (self), NULL);

  for (guint i = 0; i < self->token_rows->len; i++)
    {
      AdwPreferencesRow *row = g_ptr_array_index (self->token_rows, i);

      if (g_strcmp0 (adw_preferences_row_get_title (row), name) == 0)
        return GTK_WIDGET (row);
    }
  return NULL;
}

/**
 * arb_preferences_window_get_dialog:
 *
 * The Access page's dialog that waits for an answer: Add Token, the new
 * secret, or Remove Token. Tests answer it with adw_message_dialog_response().
 *
 * Returns: (transfer none) (nullable): the dialog open, if any
 */
AdwMessageDialog *
arb_preferences_window_get_dialog (ArbPreferencesWindow *self)
{
  g_return_val_if_fail (ARB_IS_PREFERENCES_WINDOW (self), NULL);
  return self->dialog;
}

/**
 * arb_preferences_window_get_error:
 *
 * Returns: (nullable): the text of the last error toast, or %NULL
 */
const char *
arb_preferences_window_get_error (ArbPreferencesWindow *self)
{
  g_return_val_if_fail (ARB_IS_PREFERENCES_WINDOW (self), NULL);
  return self->error;
}
