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

    /// <summary>How many messages wait in a queue (the _error queues, mostly).</summary>
    public async Task<uint> CountMessagesAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue);
            return declared.MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0; // the queue does not exist (yet): nothing in it
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (management)
        {
            await management.DeleteAsync($"/api/vhosts/{Name}");
        }
    }
}
