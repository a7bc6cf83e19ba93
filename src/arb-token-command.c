/* arb-token-command.c: `arbdash token add|list|remove`, tokens without the desktop app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Works on the configuration file the server reads (--config, else the
 * default path) through arb_config_create_token_full() and
 * arb_config_remove_token(), which rewrite it atomically with mode 0600.
 * A running arbdash follows the file (arb-config-watch.c). Tokens from the
 * environment are not this command's: it never reads them.
 */
#define G_LOG_DOMAIN "arbdash"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "arb-config.h"
#include "arb-token-command.h"

enum { DONE = 0, REFUSED = 1, USAGE = 2 };

typedef struct
{
  char  *config;
  char  *role;
  char **bot_ids;
} TokenOptions;

static void
token_options_clear (TokenOptions *o)
{
  g_clear_pointer (&o->config, g_free);
  g_clear_pointer (&o->role, g_free);
  g_clear_pointer (&o->bot_ids, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TokenOptions, token_options_clear)

static int
say (int status, const char *message)
{
  g_printerr ("arbdash token: %s\n", message);
  return status;
}

static ArbRole
parse_role (const char *text)
{
  for (ArbRole r = ARB_ROLE_VIEWER; r <= ARB_ROLE_BOT; r++)
    if (g_strcmp0 (text, arb_role_name (r)) == 0)
      return r;
  return ARB_ROLE_NONE;
}

/* The file as the server reads it; one that does not exist yet has no tokens. */
static ArbConfig *
load_config (const char *path, int *status)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS) && !arb_config_load_file (config, path, &error))
    {
      g_autofree char *message = g_strdup_printf (_("cannot read the configuration file: %s"),
                                                  error->message);
      *status = say (REFUSED, message);
      return NULL;
    }
  g_free (config->config_path);
  config->config_path = g_strdup (path);
  return g_steal_pointer (&config);
}

static int
list_tokens (ArbConfig *config)
{
  if (config->tokens->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("%s has no tokens"), config->config_path);
      g_print ("%s\n", message);
      return DONE;
    }
  /* Translators: the column heads of `arbdash token list` */
  g_print ("%-24s %-9s %s\n", _("NAME"), _("ROLE"), _("BOT IDS"));
  for (guint i = 0; i < config->tokens->len; i++)
    {
      const ArbToken *t = g_ptr_array_index (config->tokens, i);
      g_autofree char *ids = t->bot_ids != NULL ? g_strjoinv (";", t->bot_ids) : NULL;
      const char *any = t->role == ARB_ROLE_BOT ? _("any") : "-";

      /* the secret stays in the file: it was shown once, when it was made */
      g_print ("%-24s %-9s %s\n", t->name, arb_role_name (t->role), ids != NULL ? ids : any);
    }
  return DONE;
}

static int
check_add (ArbConfig *config, const char *name, TokenOptions *o, ArbRole *role)
{
  g_autofree char *message = NULL;

  if (!arb_config_is_token_name (name))
    message = g_strdup_printf (_("“%s” is not a token name: use 1 to 64 letters, digits, "
                                 "“.”, “_”, “-” or “@”"), name);
  else if (o->role == NULL)
    message = g_strdup (_("say which role the token has: --role bot, --role viewer or "
                          "--role operator"));
  else if ((*role = parse_role (o->role)) == ARB_ROLE_NONE)
    message = g_strdup_printf (_("“%s” is not a role: use bot, viewer or operator"), o->role);
  else if (o->bot_ids != NULL && *role != ARB_ROLE_BOT)
    message = g_strdup (_("--bot-id is for bot tokens only"));
  if (message != NULL)
    return say (USAGE, message);
  if (arb_config_find_token (config, name) != NULL)
    {
      message = g_strdup_printf (_("%s has a token named “%s” already: remove it first, or "
                                   "choose another name"), config->config_path, name);
      return say (REFUSED, message);
    }
  return DONE;
}

/* --bot-id may be given once for each bot_id, or with several in one: "a;b". */
static char **
collect_bot_ids (char **given, int *status)
{
  g_autofree char *joined = NULL;
  g_autoptr(GError) error = NULL;
  char **ids;

  if (given == NULL)
    return NULL;
  joined = g_strjoinv (";", given);
  ids = arb_config_parse_bot_ids (joined, &error);
  if (ids == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("--bot-id: %s"), error->message);
      *status = say (USAGE, message);
    }
  return ids;
}

static int
add_token (ArbConfig *config, const char *name, TokenOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  g_autofree char *secret = NULL;
  ArbRole role = ARB_ROLE_NONE;
  int status = check_add (config, name, o, &role);

  if (status != DONE)
    return status;
  ids = collect_bot_ids (o->bot_ids, &status);
  if (status != DONE)
    return status;
  secret = arb_config_create_token_full (config, name, role, (const char *const *) ids, &error);
  if (secret == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("cannot add the token “%s”: %s"), name,
                                                  error->message);
      return say (REFUSED, message);
    }
  /* the secret alone on stdout, so that a script can take it; the words go to stderr */
  g_printerr (_("Added the %s token “%s” to %s. Its secret follows; it is not shown again.\n"),
              arb_role_name (role), name, config->config_path);
  g_print ("%s\n", secret);
  explicit_bzero (secret, strlen (secret));
  return DONE;
}

static int
remove_token (ArbConfig *config, const char *name)
{
  g_autoptr(GError) error = NULL;

  if (arb_config_find_token (config, name) == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("%s has no token named “%s”"),
                                                  config->config_path, name);
      return say (REFUSED, message);
    }
  if (!arb_config_remove_token (config, name, &error))
    {
      g_autofree char *message = g_strdup_printf (_("cannot remove the token “%s”: %s"), name,
                                                  error->message);
      return say (REFUSED, message);
    }
  g_printerr (_("Removed the token “%s” from %s.\n"), name, config->config_path);
  return DONE;
}

static GOptionContext *
new_context (TokenOptions *o)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config,
      N_("Configuration file (default ~/.config/arbdash/arbdash.conf)"), "PATH" },
    { "role", 'r', 0, G_OPTION_ARG_STRING, &o->role,
      N_("The new token's role: bot, viewer or operator"), "ROLE" },
    { "bot-id", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &o->bot_ids,
      N_("A bot_id the new bot token may speak for (repeat for more; default: any)"), "ID" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *context = g_option_context_new (_("add NAME --role ROLE | list | remove NAME"));

  g_option_context_set_summary (context,
                                _("Manage the tokens of the configuration file the server "
                                  "reads. A running arbdash follows the change at once."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

int
arb_token_command_run (int argc, char **argv)
{
  g_auto(TokenOptions) o = { 0 };
  g_autoptr(GOptionContext) context = new_context (&o);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbConfig) config = NULL;
  g_autofree char *path = NULL;
  const char *verb;
  int status = DONE;

  /* "arbdash token ..." parses as "token ...": the verb and its name stay in argv;
   * --help says "arbdash token" */
  g_set_prgname ("arbdash token");
  argc--, argv++;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return say (USAGE, error->message);
  verb = argc > 1 ? argv[1] : NULL;
  if (g_strcmp0 (verb, "list") != 0 && g_strcmp0 (verb, "add") != 0 &&
      g_strcmp0 (verb, "remove") != 0)
    return say (USAGE, _("say what to do: arbdash token add NAME --role ROLE, "
                         "arbdash token list or arbdash token remove NAME"));
  if (argc != (strcmp (verb, "list") == 0 ? 2 : 3))
    return say (USAGE, strcmp (verb, "list") == 0 ? _("arbdash token list takes no name")
                                                  : _("name exactly one token"));
  if (strcmp (verb, "add") != 0 && (o.role != NULL || o.bot_ids != NULL))
    return say (USAGE, _("--role and --bot-id are for arbdash token add"));
  path = o.config != NULL ? g_strdup (o.config) : arb_config_default_path ();
  config = load_config (path, &status);
  if (config == NULL)
    return status;
  if (strcmp (verb, "list") == 0)
    return list_tokens (config);
  if (strcmp (verb, "add") == 0)
    return add_token (config, argv[2], &o);
  return remove_token (config, argv[2]);
}
