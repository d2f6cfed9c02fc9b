using FluentValidation;
using Relief.ServiceDefaults.Data;
using Relief.ServiceDefaults.Messaging;

namespace Relief.Intake;

public static class IntakeServices
{
    public static WebApplicationBuilder AddIntakeServices(this WebApplicationBuilder builder)
    {
        builder.AddReliefDatabase("intakedb", typeof(IntakeServices).Assembly);
        builder.AddReliefMessaging("intake");
        builder.Services.AddValidatorsFromAssemblyContaining<IntakeApi>();
        return builder;
    }
}

/// <summary>Names this assembly for hosts and tests (the top-level Program has no namespace).</summary>
public sealed class IntakeApi;
