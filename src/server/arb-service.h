/* arb-service.h: the running dashboard: the listening socket, the engine and the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "arb-config.h"
#include "arb-engine.h"
#include "arb-server.h"

G_BEGIN_DECLS

/* Which step of the start-up failed: the caller words its message from it. */
typedef enum
{
  ARB_SERVICE_STEP_LISTEN,    /* binding the socket */
  ARB_SERVICE_STEP_DATABASE,  /* opening the store (the engine) */
  ARB_SERVICE_STEP_SERVE,     /* serving on the bound socket */
} ArbServiceStep;

#define ARB_TYPE_SERVICE (arb_service_get_type ())

G_DECLARE_FINAL_TYPE (ArbService, arb_service, ARB, SERVICE, GObject)

ArbService *arb_service_new             (const ArbConfig      *config,
                                         ArbServiceStep       *failed_step,
                                         GError              **error);
ArbEngine  *arb_service_get_engine      (ArbService           *self);
ArbServer  *arb_service_get_server      (ArbService           *self);
gboolean    arb_service_is_shut_down    (ArbService           *self);
void        arb_service_shutdown        (ArbService           *self);
void        arb_service_shutdown_async  (ArbService           *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean    arb_service_shutdown_finish (ArbService           *self,
                                         GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
