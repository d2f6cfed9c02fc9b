namespace Relief.AppHost.Infrastructure;

/// <summary>What the local-mode resources share.</summary>
internal static class LocalResources
{
    /// <summary>
    /// The scripts stay in the project folder: AppHostDirectory is the project directory both under `dotnet run` and
    /// under Aspire.Hosting.Testing (whose working directory is the test's bin folder).
    /// </summary>
    public static string ScriptDirectory(IDistributedApplicationBuilder builder) =>
        Path.Combine(builder.AppHostDirectory, "Infrastructure", "scripts");
}
