namespace Relief.AppHost.Infrastructure;

/// <summary>What the local-mode resources share.</summary>
internal static class LocalResources
{
    /// <summary>
    /// Letters and digits only, so it sits unquoted in an Npgsql connection string and in rabbitmq.conf. Aspire keeps
    /// generated values in the AppHost's user secrets, and the parameter names match those of Aspire's containers, so
    /// a value generated in containers mode (which may hold "-_.~") is reused here: the amqp URI escapes it anyway.
    /// </summary>
    public static GenerateParameterDefault GeneratedPassword() => new() { MinLength = 22, Special = false };

    /// <summary>
    /// The scripts stay in the project folder: AppHostDirectory is the project directory both under `dotnet run` and
    /// under Aspire.Hosting.Testing (whose working directory is the test's bin folder).
    /// </summary>
    public static string ScriptDirectory(IDistributedApplicationBuilder builder) =>
        Path.Combine(builder.AppHostDirectory, "Infrastructure", "scripts");
}
