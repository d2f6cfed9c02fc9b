using System.Text;
using RabbitMQ.Client;

namespace Relief.Ops;

/// <summary>
/// Moves the messages of a consumer's <c>_error</c> queue back to the consumer's queue, once the cause of their failure
/// is fixed. Each message is published to the queue (mandatory, confirmed by the broker) before it is acknowledged in
/// <c>_error</c>: a crash between the two leaves it in both, and the consumer's inbox makes the second delivery a
/// no-op — each message takes effect once. Only the messages there when the replay starts are moved, so one that fails
/// again is not replayed in a loop.
/// </summary>
public static class ErrorQueueReplay
{
    public const string ErrorSuffix = "_error";

    /// <summary>Returns how many messages were moved.</summary>
    public static async Task<int> ReplayAsync(Uri amqp, string errorQueue, CancellationToken cancellationToken)
    {
        if (!errorQueue.EndsWith(ErrorSuffix, StringComparison.Ordinal))
        {
            throw new OpsException($"'{errorQueue}' is not an _error queue.");
        }

        var targetQueue = errorQueue[..^ErrorSuffix.Length];
        var factory = new ConnectionFactory { Uri = amqp, ClientProvidedName = "relief-ops replay" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);

        uint waiting;
        try
        {
            waiting = (await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken)).MessageCount;
            await channel.QueueDeclarePassiveAsync(targetQueue, cancellationToken);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            throw new OpsException($"There is no queue '{errorQueue}' with its consumer's queue '{targetQueue}'.");
        }

        var moved = 0;
        while (moved < waiting && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken) is { } message)
        {
            var properties = new BasicProperties(message.BasicProperties);
            properties.Headers = Replayed(message.BasicProperties.Headers);
            // The default exchange routes straight to the queue named by the routing key. A nack or a return throws,
            // and the message stays in _error.
            await channel.BasicPublishAsync("", targetQueue, mandatory: true, properties, message.Body, cancellationToken);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            moved++;
        }

        return moved;
    }

    /// <summary>The headers without MassTransit's record of the fault (it is in _error's history, not the new delivery's).</summary>
    private static Dictionary<string, object?> Replayed(IDictionary<string, object?>? headers)
    {
        var kept = (headers ?? new Dictionary<string, object?>())
            .Where(header => !header.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && header.Key != "MT-Reason")
            .ToDictionary(header => header.Key, header => header.Value);
        kept["relief-replayed-at"] = Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return kept;
    }
}
