using Relief.Intake.Contracts;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Registry.Persons;

/// <summary>Keeps how each case's identity was established beside the case on the register of persons.</summary>
public sealed class IdentityConfirmedConsumer(UnitOfWorkFactory units, ILogger<IdentityConfirmedConsumer> logger)
    : IdempotentConsumer<IdentityConfirmed>(units, logger)
{
    protected override string InboxName => "registry.identity-confirmed";

    private const string RecordMethod = """
        insert into case_identity (case_id, method, confirmed_at) values (@CaseId, @Method, @ConfirmedAt)
        on conflict (case_id) do update set method = excluded.method, confirmed_at = excluded.confirmed_at
        where case_identity.confirmed_at < excluded.confirmed_at
        """;

    protected override void Handle(IdentityConfirmed message, UnitOfWork unit) =>
        unit.Write(RecordMethod, new { message.CaseId, message.Method, message.ConfirmedAt });
}
