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

typedef struct
{
  char    *name;    /* shown in the audit log; never the secret */
  ArbRole  role;
  char    *secret;
} ArbToken;

typedef struct
{
  char       *listen_address;   /* "127.0.0.1" */
  guint       port;             /* 8080; 0 picks a free port */
  char       *db_path;
  gboolean    demo;             /* run the in-process demo bot */
  guint       sample_interval_ms;
  guint       command_timeout_ms;
  char      **allowed_origins;  /* besides the dashboard's own */
  ArbLimits   limits;
  ArbAlertThresholds alerts;
  GPtrArray  *tokens;           /* ArbToken* */
  char       *config_path;      /* the file read, if any */
} ArbConfig;

ArbConfig   *arb_config_new             (void);
void         arb_config_free            (ArbConfig   *config);
/* Reads an INI file ([server], [tokens], [limits]; see docs/deployment.md). */
gboolean     arb_config_load_file       (ArbConfig   *config,
                                         const char  *path,
                                         GError     **error);
/* ARBDASH_BOT_TOKEN, ARBDASH_VIEWER_TOKEN, ARBDASH_OPERATOR_TOKEN. */
void         arb_config_load_env        (ArbConfig   *config);
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
const char  *arb_role_name              (ArbRole      role);
/* Whether a holder of @have may do what needs @need (operator > viewer). */
gboolean     arb_role_allows            (ArbRole      have,
                                         ArbRole      need);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbConfig, arb_config_free)

G_END_DECLS
