/* arb-dialogs.c: the app's dialogs that are not types of their own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-dialogs"

#include "config.h"

#include <glib/gi18n.h>

#include "arb-dialogs.h"

/**
 * arb_confirm_dialog_new:
 * @parent: (nullable): the window the dialog is for
 * @heading: the question, such as "Stop demo?"
 * @body: what happens then
 * @response: the id of the answer that goes ahead, such as "stop"
 * @label: its button's label, with a mnemonic
 *
 * A question before something that cannot be taken back: "cancel" is the
 * default and what closing answers, the other answer is shown as destructive
 * (HIG). Connect to "response" and present it.
 *
 * Returns: (transfer floating): an AdwMessageDialog
 */
GtkWidget *
arb_confirm_dialog_new (GtkWindow  *parent,
                        const char *heading,
                        const char *body,
                        const char *response,
                        const char *label)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);
  AdwMessageDialog *message = ADW_MESSAGE_DIALOG (dialog);

  adw_message_dialog_add_responses (message, "cancel", _("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (message, response, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (message, "cancel");
  adw_message_dialog_set_close_response (message, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  return dialog;
}
