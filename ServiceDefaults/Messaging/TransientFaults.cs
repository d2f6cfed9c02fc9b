using System.Net.Sockets;
using MassTransit;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using Relief.ServiceDefaults.Data;

namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// Which failures pass by themselves — the database or broker unreachable or restarting, a timeout, a serialization
/// failure or deadlock between concurrent transactions — and which will fail the same way every time (a bug, a value
/// that does not fit). Transient faults are retried for minutes and answered 503; permanent ones go to the
/// <c>_error</c> queue at once and are answered 500.
/// </summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.All(IsTransient);
            }

            if (IsTransientItself(current))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTransientItself(Exception exception) => exception switch
    {
        // Connection failures, server restarts and shutdowns, pool timeouts: Npgsql knows which of its errors pass.
        PostgresException postgres => postgres.IsTransient || IsTransientState(postgres.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException or SocketException => true,
        // What the message needs has not arrived yet (another queue's event): it will, so wait for it like for an outage.
        NotYetArrivedException => true,
        // A consumer read a row, then found it changed by someone else when it wrote (a system withdrawal racing a staff
        // approval): the retry reads it as it now is. Endpoints catch this one themselves and answer 409.
        StaleVersionException => true,
        BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException => true,
        ConnectionException => true,
        // Another service unreachable, restarting or overloaded, or its token refused while the authority rotates keys;
        // a 403 or 400 is a fault of ours and would fail the same way every time.
        HttpRequestException { StatusCode: null } => true,
        HttpRequestException { StatusCode: var status } => (int)status! >= 500 || status is System.Net.HttpStatusCode.Unauthorized
            or System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests,
        // The resilience pipeline gave up (timeout, open circuit): the other service is not answering yet.
        Polly.ExecutionRejectedException => true,
        _ => false,
    };

    /// <summary>
    /// Serialization failure and deadlock (class 40), connection exceptions (08), operator intervention such as a
    /// shutdown or "the database system is starting up" (57P), insufficient resources (53).
    /// </summary>
    private static bool IsTransientState(string sqlState) =>
        sqlState.StartsWith("40", StringComparison.Ordinal)
        || sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("57P", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal);
}

/// <summary>
/// A message cannot be handled until another event has been (a copy it is addressed by, from another queue, which
/// RabbitMQ does not order against this one): retried like a transient fault, never dropped — after the retries it
/// goes to the _error queue, where ops see it.
/// </summary>
public sealed class NotYetArrivedException(string message) : Exception(message);
