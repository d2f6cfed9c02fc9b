using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Validation;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Relief.Identity.SigningKeys;

/// <summary>
/// Gives OpenIddict the keys of the <see cref="SigningKeyRing"/>: the server signs with them and publishes them
/// in its JWKS; the local validation (the admin API) trusts them. Both options are rebuilt when the ring changes.
/// </summary>
public sealed class SigningKeyOptionsSetup(SigningKeyRing ring)
    : IConfigureOptions<OpenIddictServerOptions>, IConfigureOptions<OpenIddictValidationOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        var keys = ring.Keys;
        foreach (var key in keys.Signing)
        {
            options.SigningCredentials.Add(new SigningCredentials(key.Key, SecurityAlgorithms.RsaSha256));
        }

        if (keys.Encryption is { } encryption)
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(
                encryption, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }

    /// <summary>
    /// Runs after OpenIddict's server integration copied the server's keys, and replaces them with the ring's, so
    /// the result does not depend on which options monitor hears of a rotation first.
    /// </summary>
    public void Configure(OpenIddictValidationOptions options)
    {
        if (options.Configuration is null)
        {
            return;
        }

        options.Configuration.SigningKeys.Clear();
        foreach (var key in ring.Keys.Signing)
        {
            options.Configuration.SigningKeys.Add(key.Key);
        }
    }
}

/// <summary>Tells an options monitor that the ring changed, so it rebuilds the options (and their keys).</summary>
public sealed class SigningKeyRingChangeTokenSource<TOptions>(SigningKeyRing ring) : IOptionsChangeTokenSource<TOptions>
{
    public string Name => Options.DefaultName;

    public Microsoft.Extensions.Primitives.IChangeToken GetChangeToken() => ring.GetChangeToken();
}

/// <summary>
/// Signs every token with the ring's current key: the latest one whose activation time has come. OpenIddict
/// would take the first of its sorted signing credentials, which knows nothing of activation.
/// </summary>
public sealed class SignWithCurrentKey(SigningKeyRing ring, TimeProvider clock) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<SignWithCurrentKey>()
            .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var current = ring.Keys.CurrentAt(clock.GetUtcNow())?.KeyId;
        if (current is not null
            && context.Options.SigningCredentials.FirstOrDefault(credentials => credentials.Key.KeyId == current) is { } signing)
        {
            context.SigningCredentials = signing;
        }

        return default;
    }
}
