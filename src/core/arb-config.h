/* arb-config.h: settings of one dashboard: listen address, database, tokens, limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "arb-alert.h"
#include "arb-event.h"

G_BEGIN_DECLS

typedef enum
{
  ARB_ROLE_NONE,
  ARB_ROLE_VIEWER,
  ARB_ROLE_OPERATOR,
  ARB_ROLE_BOT,
} ArbRole;

typedef enum
{
  ARB_TOKEN_FROM_FILE,          /* the configuration file (or added by the program) */
  ARB_TOKEN_FROM_ENVIRONMENT,   /* ARBDASH_*_TOKEN: it cannot be removed while running */
} ArbTokenSource;

typedef struct
{
  char           *name;    /* shown in the audit log; never the secret */
  ArbRole         role;
  char           *secret;
  ArbTokenSource  source;
  guint           serial;  /* unique in the process: a new token of a removed one's name differs */
  char          **bot_ids; /* a bot token's bot_ids it may speak for; NULL: any (revision 1.1) */
} ArbToken;

/* At most this many bot_ids for one token. */
#define ARB_TOKEN_MAX_BOT_IDS 1000
/* The shortest secret arbdash accepts (arb_config_check_tokens()). */
#define ARB_TOKEN_MIN_CHARS 16

/* Secrets that arbdash makes: this many random bytes, base64url without padding. */
#define ARB_SECRET_BYTES 32

/* Days of trades, opportunities, logs, finished commands and cleared
 * alerts the database keeps. */
#define ARB_RETENTION_DAYS_DEFAULT 90
#define ARB_RETENTION_DAYS_MAX     3650

#define ARB_MAX_CONNECTIONS_DEFAULT    1000
#define ARB_REQUEST_TIMEOUT_MS_DEFAULT 30000

typedef struct
{
  char       *listen_address;   /* "127.0.0.1" */
  guint       port;             /* 8080; 0 picks a free port */
  char       *db_path;
  guint       retention_days;   /* 1 to ARB_RETENTION_DAYS_MAX; 0: the default */
  gboolean    demo;             /* run the in-process demo bot */
  guint       sample_interval_ms;
  guint       command_timeout_ms;
  guint       max_connections;    /* open at once; more wait in the kernel's queue */
  guint       request_timeout_ms; /* for a whole request, and between two on one connection */
  char      **allowed_origins;  /* besides the dashboard's own */
  char      **allowed_hosts;    /* Host names besides the listen address's: "name" or "name:port" */
  ArbLimits   limits;
  ArbAlertThresholds alerts;
  GPtrArray  *tokens;           /* ArbToken* */
  char       *config_path;      /* the file read, or the one the Access page created */
} ArbConfig;

ArbConfig   *arb_config_new             (void);
ArbConfig   *arb_config_copy            (const ArbConfig *config);
void         arb_config_free            (ArbConfig   *config);
/* ~/.config/arbdash/arbdash.conf: read when it exists and no --config was given. */
char        *arb_config_default_path    (void);
/* Reads an INI file ([server], [tokens], [limits], [alerts]; see docs/deployment.md). */
gboolean     arb_config_load_file       (ArbConfig   *config,
                                         const char  *path,
                                         GError     **error);
/* ARBDASH_BOT_TOKEN, ARBDASH_VIEWER_TOKEN, ARBDASH_OPERATOR_TOKEN. */
void         arb_config_load_env        (ArbConfig   *config);
/* Refuses short secrets and one secret for two tokens; call after loading. */
gboolean     arb_config_check_tokens    (ArbConfig   *config,
                                         GError     **error);
void         arb_config_add_token       (ArbConfig   *config,
                                         const char  *name,
                                         ArbRole      role,
                                         const char  *secret);
gboolean     arb_config_has_role_token  (ArbConfig   *config,
                                         ArbRole      role);
/* The role of a secret (compared in constant time), or ARB_ROLE_NONE. */
ArbRole      arb_config_check_token     (ArbConfig   *config,
                                         const char  *secret,
                                         const char **name);
char        *arb_config_default_db_path (void);

/* Managing tokens while running (the desktop app's Access page). */
gboolean        arb_config_is_token_name  (const char  *name);
const ArbToken *arb_config_find_token     (ArbConfig   *config,
                                           const char  *name);
const char     *arb_config_env_var        (ArbRole      role);
char           *arb_config_generate_secret (void);
/* The file tokens are saved in: the one read, else the default path. */
char           *arb_config_dup_save_path  (const ArbConfig *config);
char           *arb_config_create_token   (ArbConfig   *config,
                                           const char  *name,
                                           ArbRole      role,
                                           GError     **error);
gboolean        arb_config_remove_token   (ArbConfig   *config,
                                           const char  *name,
                                           GError     **error);
/* Re-reads [tokens] and [bot-ids] of @path into a running @config (the
 * file monitor and SIGHUP of arb-config-watch.c). */
gboolean        arb_config_reload_tokens  (ArbConfig   *config,
                                           const char  *path,
                                           guint       *n_added,
                                           guint       *n_removed,
                                           GError     **error);
/* Bot tokens bound to bot_ids: [bot-ids] in the file, ARBDASH_BOT_IDS. */
char          **arb_config_parse_bot_ids  (const char  *text,
                                           GError     **error);
gboolean        arb_config_bind_bot_ids   (ArbConfig   *config,
                                           const char  *name,
                                           const char *const *bot_ids,
                                           GError     **error);
char           *arb_config_create_token_full (ArbConfig *config,
                                           const char  *name,
                                           ArbRole      role,
                                           const char *const *bot_ids,
                                           GError     **error);
gboolean        arb_token_speaks_for      (const ArbToken *token,
                                           const char  *bot_id);
/* Splits "name", "name:port", "[v6]" or "[v6]:port" (a Host header); @port
 * gets -1 when there is none. The name comes back lowercased, without brackets. */
gboolean     arb_host_parse             (const char  *text,
                                         char       **name,
                                         int         *port);
const char  *arb_role_name              (ArbRole      role);
/* Whether a holder of @have may do what needs @need (operator > viewer). */
gboolean     arb_role_allows            (ArbRole      have,
                                         ArbRole      need);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbConfig, arb_config_free)

G_END_DECLS
