using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Relief.AppHost.Infrastructure;

/// <summary>Where PostgreSQL and RabbitMQ come from; configuration key <c>Infrastructure:Mode</c>.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when a Docker daemon answers, local processes otherwise.</summary>
    Auto,

    /// <summary>Aspire's stock PostgreSQL and RabbitMQ containers.</summary>
    Containers,

    /// <summary>The PostgreSQL and RabbitMQ installed on this machine, run as throwaway processes.</summary>
    Local,
}

internal static class InfrastructureModeResolver
{
    public const string ConfigurationKey = "Infrastructure:Mode";

    /// <summary>The configured mode, with <see cref="InfrastructureMode.Auto"/> settled to one of the other two.</summary>
    public static InfrastructureMode Resolve(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        var mode = string.IsNullOrWhiteSpace(configured) ? InfrastructureMode.Auto
            : Enum.TryParse<InfrastructureMode>(configured, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
            : throw new InvalidOperationException($"{ConfigurationKey} must be auto, containers or local, not '{configured}'.");

        if (mode != InfrastructureMode.Auto)
        {
            return mode;
        }

        return DockerDaemonAnswers() ? InfrastructureMode.Containers : InfrastructureMode.Local;
    }

    // Without a daemon, container resources sit "Runtime unhealthy" forever, so containers only when `docker info`
    // succeeds. A hung daemon must not hang the AppHost: give up after a few seconds.
    private static bool DockerDaemonAnswers()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (docker is null)
            {
                return false;
            }

            // Drain the pipes so a chatty `docker info` cannot block on a full buffer.
            docker.BeginOutputReadLine();
            docker.BeginErrorReadLine();
            if (docker.WaitForExit(TimeSpan.FromSeconds(3)))
            {
                return docker.ExitCode == 0;
            }

            docker.Kill(entireProcessTree: true);
            return false;
        }
        catch (Win32Exception)
        {
            return false; // no docker CLI at all
        }
    }
}
