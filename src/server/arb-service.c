/* arb-service.c: the running dashboard: the listening socket, the engine and the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one owner of start-up and shutdown, for `arbdash --headless` and the
 * desktop app alike. Start-up binds the socket before the database opens,
 * so bots that reconnect after a crash wait in the kernel's backlog instead
 * of being refused. Shutdown goes in the order that loses nothing: the
 * engine first (the sampler and the demo bot stop, every pending batch is
 * committed and acked on the still open connections), then the server
 * (WebSockets closed with 1001, no more listening).
 */
#define G_LOG_DOMAIN "arb-service"

#include "config.h"

#include "arb-service.h"

/* How long a shutdown waits for the peers to answer the close frames. */
#define CLOSE_WAIT_MS  1000
#define CLOSE_POLL_MS  20

struct _ArbService
{
  GObject    parent_instance;

  ArbEngine *engine;
  ArbServer *server;
  gboolean   shut_down;
};

G_DEFINE_FINAL_TYPE (ArbService, arb_service, G_TYPE_OBJECT)

static void
arb_service_dispose (GObject *object)
{
  ArbService *self = ARB_SERVICE (object);

  /* references only: the owner calls arb_service_shutdown() first */
  g_clear_object (&self->server);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (arb_service_parent_class)->dispose (object);
}

static void
arb_service_class_init (ArbServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arb_service_dispose;
}

static void
arb_service_init (ArbService *self)
{
}

static gpointer
failed_at (ArbServiceStep *failed_step, ArbServiceStep step)
{
  if (failed_step != NULL)
    *failed_step = step;
  return NULL;
}

/**
 * arb_service_new:
 * @config: the settings (the engine copies them)
 * @failed_step: (out) (optional): on failure, the step that failed
 * @error: where to put an error
 *
 * Binds the socket, opens the engine and serves on the socket, in that
 * order. On failure nothing is left running.
 *
 * Returns: (transfer full) (nullable): the running service
 */
ArbService *
arb_service_new (const ArbConfig  *config,
                 ArbServiceStep   *failed_step,
                 GError          **error)
{
  g_autoptr(ArbService) self = NULL;
  g_autoptr(GSocket) sock = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sock = arb_server_bind_socket (config->listen_address, config->port, error);
  if (sock == NULL)
    return failed_at (failed_step, ARB_SERVICE_STEP_LISTEN);
  self = g_object_new (ARB_TYPE_SERVICE, NULL);
  self->engine = arb_engine_new (config, error);
  if (self->engine == NULL)
    return failed_at (failed_step, ARB_SERVICE_STEP_DATABASE);
  self->server = arb_server_new (self->engine);
  if (!arb_server_listen_socket (self->server, sock, error))
    {
      arb_service_shutdown (self);
      return failed_at (failed_step, ARB_SERVICE_STEP_SERVE);
    }
  return g_steal_pointer (&self);
}

/**
 * arb_service_get_engine:
 *
 * Returns: (transfer none): the engine; it stays readable after a shutdown
 */
ArbEngine *
arb_service_get_engine (ArbService *self)
{
  g_return_val_if_fail (ARB_IS_SERVICE (self), NULL);
  return self->engine;
}

/**
 * arb_service_get_server:
 *
 * Returns: (transfer none): the server
 */
ArbServer *
arb_service_get_server (ArbService *self)
{
  g_return_val_if_fail (ARB_IS_SERVICE (self), NULL);
  return self->server;
}

gboolean
arb_service_is_shut_down (ArbService *self)
{
  g_return_val_if_fail (ARB_IS_SERVICE (self), FALSE);
  return self->shut_down;
}

/**
 * arb_service_shutdown:
 *
 * Stops the engine (committing and acking what the bots sent), then closes
 * every connection (1001 for WebSockets) and stops listening. The close
 * frames go out as the main context runs. A second call does nothing.
 */
void
arb_service_shutdown (ArbService *self)
{
  g_return_if_fail (ARB_IS_SERVICE (self));

  if (self->shut_down)
    return;
  self->shut_down = TRUE;
  arb_engine_shutdown (self->engine);
  if (self->server != NULL)
    arb_server_shutdown (self->server);
}

static gboolean
poll_closed (gpointer data)
{
  GTask *task = data;
  ArbService *self = g_task_get_source_object (task);
  gint64 *deadline = g_task_get_task_data (task);

  if (arb_server_get_n_sockets (self->server) > 0 && g_get_monotonic_time () < *deadline &&
      !g_task_return_error_if_cancelled (task))
    return G_SOURCE_CONTINUE;
  if (!g_task_had_error (task))
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/**
 * arb_service_shutdown_async:
 * @cancellable: (nullable): stops the waiting, not the shutdown
 *
 * Shuts down as arb_service_shutdown() does, then waits until every
 * WebSocket has closed, for at most a second, so that the close frames
 * reach the peers before the process exits.
 */
void
arb_service_shutdown_async (ArbService          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gint64 *deadline = g_new (gint64, 1);
  GSource *source;

  g_return_if_fail (ARB_IS_SERVICE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  /* a name, not a source tag: -pedantic refuses a function as a gpointer */
  g_task_set_name (task, "arb_service_shutdown_async");
  arb_service_shutdown (self);
  *deadline = g_get_monotonic_time () + CLOSE_WAIT_MS * 1000;
  g_task_set_task_data (task, deadline, g_free);
  source = g_timeout_source_new (CLOSE_POLL_MS);
  g_source_set_callback (source, poll_closed, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[arbdash] shutdown");
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

gboolean
arb_service_shutdown_finish (ArbService    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
