using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Relief.IntegrationTests.Infrastructure;
using Relief.Reporting;

namespace Relief.IntegrationTests.Reporting;

/// <summary>
/// Answers Reporting's calls to the sources as they answer them: Intake's <c>POST /internal/cases/facts</c> (leaving out a
/// case it does not have) and each source's <c>GET /internal/history/{stream}</c> in the agreed shape — only with a
/// bearer token, which Reporting fetches from the run's real authority with its own client. A stand-in, because
/// registering 10,000 cases through the real Intake would take many minutes on the test machine.
/// </summary>
public sealed partial class GeneratedSources(GeneratedMonth month) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter.Length: > 0 })
        {
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }

        var path = request.RequestUri!.AbsolutePath;
        if (path == "/internal/cases/facts" && request.Method == HttpMethod.Post)
        {
            // The cases Intake has, the others left out.
            var ids = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!["ids"]!.AsArray()
                .Select(id => id!.GetValue<Guid>());
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = JsonContent.Create(ids.Where(month.Facts.ContainsKey).Select(id => month.Facts[id]).ToArray(), options: GeneratedMonth.Json),
            };
        }

        if (HistoryPath().Match(path) is { Success: true } history)
        {
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
            var limit = int.Parse(query["limit"] ?? "100", System.Globalization.CultureInfo.InvariantCulture);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = JsonContent.Create(month.HistoryPage(history.Groups[1].Value, query["after"], limit)),
            };
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    [GeneratedRegex("^/internal/history/([a-z-]+)$")]
    private static partial Regex HistoryPath();
}

/// <summary>
/// Reporting on a database and virtual host of its own, fed a generated month of 10,000 cases by publishing the sources'
/// events on the real bus (as their outbox relays do), and waited for until every message is in its inbox.
/// </summary>
public sealed class ReportingFixture : IAsyncLifetime
{
    public const int CaseCount = 10_000;

    public GeneratedMonth Month { get; } = GeneratedMonth.Create(CaseCount);
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public BusProbe Probe { get; private set; } = null!;
    public ServiceHost<ReportingApi> Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync();
        Probe = await BusProbe.StartAsync(VirtualHost.AmqpUri);
        Service = new ServiceHost<ReportingApi>("reportingdb", TestInfrastructure.NewName("reportingdb"), VirtualHost.AmqpUri)
        {
            SourcesHandler = () => new GeneratedSources(Month),
        };
        _ = Service.Server;
        await Service.WaitUntilReadyAsync();

        // Many at a time, as several relays publish; each with its own message id, as an outbox row has.
        foreach (var chunk in Month.Events.Chunk(200))
        {
            await Task.WhenAll(chunk.Select(e => PublishAsync(e.Message, e.MessageId)));
        }

        await WaitUntilConsumedAsync(Month.Events.Count);
    }

    public Task PublishAsync(object message, Guid messageId) =>
        message switch
        {
            Relief.Intake.Contracts.CaseRegistered m => Probe.PublishAsync(m, messageId),
            Relief.Intake.Contracts.IdentityConfirmed m => Probe.PublishAsync(m, messageId),
            Relief.Intake.Contracts.CaseClosed m => Probe.PublishAsync(m, messageId),
            Relief.Referral.Contracts.CaseClassified m => Probe.PublishAsync(m, messageId),
            Relief.Referral.Contracts.ReferralRequested m => Probe.PublishAsync(m, messageId),
            Relief.Referral.Contracts.ReferralAccepted m => Probe.PublishAsync(m, messageId),
            Relief.Referral.Contracts.ReferralRejected m => Probe.PublishAsync(m, messageId),
            Relief.Referral.Contracts.ReferralCompleted m => Probe.PublishAsync(m, messageId),
            Relief.Referral.Contracts.ReferralOverdue m => Probe.PublishAsync(m, messageId),
            Relief.Referral.Contracts.ReliefActionRecorded m => Probe.PublishAsync(m, messageId),
            Relief.Referral.Contracts.ReliefActionVoided m => Probe.PublishAsync(m, messageId),
            Relief.Registry.Contracts.ServicePointChanged m => Probe.PublishAsync(m, messageId),
            Relief.FamilySearch.Contracts.NoticeDrafted m => Probe.PublishAsync(m, messageId),
            Relief.FamilySearch.Contracts.NoticePublished m => Probe.PublishAsync(m, messageId),
            Relief.FamilySearch.Contracts.NoticeWithdrawn m => Probe.PublishAsync(m, messageId),
            Relief.FamilySearch.Contracts.NoticeOverdue m => Probe.PublishAsync(m, messageId),
            _ => throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "not a generated event"),
        };

    /// <summary>Every message of the month recorded in Reporting's inbox (each consumer records what it handled).</summary>
    public Task WaitUntilConsumedAsync(int messages) =>
        TestDatabase.EventuallyAsync(async () => await TestDatabase.ScalarAsync<long>(Service.DatabaseConnectionString,
                "select count(*) from inbox_messages") >= messages,
            $"Reporting consumes all {messages} events of the month", TimeSpan.FromMinutes(8));

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Probe.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }
}
