using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using RabbitMQ.Client;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ virtual host of one test class's own: MassTransit binds every consumer of a message type to
/// that type's exchange, so hosts of different tests on one vhost would receive each other's messages.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient management;

    private TestVirtualHost(string name, HttpClient management)
    {
        Name = name;
        this.management = management;
    }

    public string Name { get; }

    /// <summary>amqp://user:password@host:port/vhost, as the services' "messaging" connection string.</summary>
    public Uri AmqpUri => new UriBuilder(TestInfrastructure.RabbitMq) { Path = "/" + Uri.EscapeDataString(Name) }.Uri;

    public static async Task<TestVirtualHost> CreateAsync()
    {
        var api = TestInfrastructure.RabbitMqManagement;
        var credentials = TestInfrastructure.RabbitMq.UserInfo.Split(':', 2);
        var http = new HttpClient { BaseAddress = new Uri(api.GetLeftPart(UriPartial.Authority)) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.UnescapeDataString(credentials[0])}:{Uri.UnescapeDataString(credentials[1])}")));

        var name = TestInfrastructure.NewName("it");
        (await http.PutAsync($"/api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"/api/permissions/{name}/{Uri.UnescapeDataString(credentials[0])}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new TestVirtualHost(name, http);
    }

    /// <summary>
    /// How many messages in a queue mention <paramref name="fragment"/> (a case id, say). Reads without
    /// acknowledging: closing the channel puts every message back.
    /// </summary>
    public async Task<int> CountMessagesMentioningAsync(string queue, string fragment)
    {
        var factory = new ConnectionFactory { Uri = AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueueDeclarePassiveAsync(queue);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }

        var count = 0;
        while (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
        {
            if (Encoding.UTF8.GetString(message.Body.Span).Contains(fragment, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The bodies and headers of every message waiting in any _error queue of this virtual host.</summary>
    public async Task<IReadOnlyList<string>> ReadErrorQueuesAsync()
    {
        var queues = await management.GetFromJsonAsync<List<QueueInfo>>($"/api/queues/{Name}") ?? [];
        var factory = new ConnectionFactory { Uri = AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<string>();
        foreach (var queue in queues.Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal)))
        {
            while (await channel.BasicGetAsync(queue.Name, autoAck: false) is { } message)
            {
                var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
                messages.Add(Encoding.UTF8.GetString(message.Body.Span) + " " + string.Join("; ", headers.Select(h =>
                    $"{h.Key}={(h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : h.Value)}")));
            }
        }

        return messages;
    }

    private sealed record QueueInfo(string Name);

    /// <summary>A queue as the management API describes it (type, durable, messages, …).</summary>
    public async Task<System.Text.Json.JsonElement> QueueAsync(string queue) =>
        await management.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/queues/{Name}/{queue}");

    public async ValueTask DisposeAsync()
    {
        using (management)
        {
            await management.DeleteAsync($"/api/vhosts/{Name}");
        }
    }
}
