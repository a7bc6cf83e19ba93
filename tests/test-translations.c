/* test-translations.c: the desktop app in German and French, from the build's catalogs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb with LANGUAGE=de or fr, LC_ALL=C.UTF-8 (gettext ignores
 * LANGUAGE in the C locale) and ARBDASH_LOCALEDIR at the build tree's .mo
 * files (tests/meson.build), set up as main.c sets up the arbdash binary. The
 * application runs on a fresh database, and its window must show the
 * language: the templates' strings (the view switcher), a string built in C
 * with a format (the address line) and the catalog's plural forms.
 */
#include "config.h"

#include "test-util.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "arb-application.h"
#include "arb-format.h"
#include "arb-main-window.h"

typedef struct
{
  const char *language;
  const char *overview;  /* the Overview page's title, from arb-main-window.ui */
  const char *log;       /* the Log page's title */
  const char *serving;   /* the start of "Serving %s", from arb-main-window.c */
  const char *one_trade; /* g_dngettext ("%u trade", "%u trades", 1) */
  const char *trades;    /* the same for 2 and 0: German says 0 in the plural, French not */
  const char *no_trades; /* ... for 0 */
  const char *streak;    /* a losing_streak alert of 2 trades, in the window's words */
} Expected;

static const Expected expected[] = {
  { "de", "Übersicht", "Protokoll", "Bereitgestellt unter http://127.0.0.1:",
    "%u Trade", "%u Trades", "%u Trades", "Bot arb-1 hat bei 2 Trades in Folge Geld verloren" },
  { "fr", "Vue d’ensemble", "Journal", "En service sur http://127.0.0.1:",
    "%u transaction", "%u transactions", "%u transaction",
    "Le robot arb-1 a perdu de l’argent sur 2 transactions d’affilée" },
};

typedef struct
{
  const Expected *expect;
  char           *dir;
  ArbApplication *app;
  gboolean        scheduled;
  gboolean        ran;
} Fixture;

/* Returns: (transfer none) (nullable): a label under @widget whose text starts with @prefix */
static GtkLabel *
find_label (GtkWidget *widget, const char *prefix)
{
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_label (GTK_LABEL (widget)), prefix))
    return GTK_LABEL (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found = find_label (c, prefix);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
page_title (ArbMainWindow *window, const char *name)
{
  GtkWidget *page = arb_main_window_get_page (window, name);
  GtkWidget *stack;

  g_assert_nonnull (page);
  stack = gtk_widget_get_ancestor (page, ADW_TYPE_VIEW_STACK);
  g_assert_nonnull (stack);
  return adw_view_stack_page_get_title (adw_view_stack_get_page (ADW_VIEW_STACK (stack), page));
}

static gboolean
check_window (gpointer data)
{
  Fixture *f = data;
  ArbMainWindow *window = ARB_MAIN_WINDOW (arb_application_get_main_window (f->app));

  g_assert_nonnull (window);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_cmpstr (page_title (window, "overview"), ==, f->expect->overview);
  g_assert_cmpstr (page_title (window, "log"), ==, f->expect->log);
  /* the address line is set once the server listens */
  WAIT_UNTIL (find_label (GTK_WIDGET (window), f->expect->serving) != NULL);
  f->ran = TRUE;
  g_application_quit (G_APPLICATION (f->app));
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app, Fixture *f)
{
  if (!f->scheduled)
    g_idle_add (check_window, f);
  f->scheduled = TRUE;
}

static void
test_window (void)
{
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };
  ArbConfig *config = arb_config_new ();

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (g_strcmp0 (g_getenv ("LANGUAGE"), expected[i].language) == 0)
      f.expect = &expected[i];
  g_assert_nonnull (f.expect);
  f.dir = g_dir_make_tmp ("arb-i18n-XXXXXX", &error);
  g_assert_no_error (error);
  g_free (config->listen_address);
  config->listen_address = g_strdup ("127.0.0.1");
  config->port = 0;
  g_free (config->db_path);
  config->db_path = g_build_filename (f.dir, "arbdash.db", NULL);
  config->demo = FALSE;

  f.app = arb_application_new (config);
  /* no bus name: tests run side by side, and without a session bus */
  g_application_set_flags (G_APPLICATION (f.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (f.app, "activate", G_CALLBACK (on_activate), &f);
  g_assert_cmpint (g_application_run (G_APPLICATION (f.app), 0, NULL), ==, 0);
  g_assert_true (f.ran);
  g_clear_object (&f.app);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  remove_dir (f.dir);
  g_free (f.dir);
}

/* the catalog's Plural-Forms, not English's rule, picks the form; an alert in the window's words */
static void
test_plurals (void)
{
  const Expected *e = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (g_strcmp0 (g_getenv ("LANGUAGE"), expected[i].language) == 0)
      e = &expected[i];
  g_assert_nonnull (e);
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u trade", "%u trades", 1), ==, e->one_trade);
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u trade", "%u trades", 2), ==, e->trades);
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u trade", "%u trades", 0), ==, e->no_trades);
  {
    ArbAlert streak = { .rule = (char *) "losing_streak", .subject = (char *) "arb-1",
                        .message = (char *) "Bot arb-1 lost money on 2 trades in a row",
                        .value = 2, .threshold = 2 };
    g_autofree char *text = arb_format_alert_message (&streak);

    g_assert_cmpstr (text, ==, e->streak);
  }
}

/* the app prints its sign-in link on stdout, which carries TAP here */
static void
print_as_test_message (const char *text)
{
  if (g_str_has_prefix (text, "arbdash"))
    fputs ("# ", stdout);
  fputs (text, stdout);
  fflush (stdout);
}

int
main (int argc, char *argv[])
{
  const char *dir = g_getenv ("ARBDASH_LOCALEDIR");

  /* as main.c does, with the build tree's catalogs */
  setlocale (LC_ALL, "");
  g_assert_nonnull (dir);
  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  g_set_print_handler (print_as_test_message);
  g_test_add_func ("/arb/translations/plurals", test_plurals);
  g_test_add_func ("/arb/translations/window", test_window);
  return g_test_run ();
}
