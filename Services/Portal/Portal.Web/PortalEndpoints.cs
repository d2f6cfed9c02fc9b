using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Localization;
using Relief.Portal.Clients;
using Relief.Portal.Notifications;

namespace Relief.Portal;

/// <summary>The portal's few endpoints that are not pages: sign-out, the choice of language, the map's data, the duty desk's feed and the monthly report's files.</summary>
public static class PortalEndpoints
{
    public static IEndpointRouteBuilder MapPortalEndpoints(this IEndpointRouteBuilder app)
    {
        // A form post with its antiforgery token: a link or another site cannot sign the user out.
        app.MapPost("/account/signout", SignOutAsync);
        app.MapGet("/culture/{culture}", ChooseLanguage).AllowAnonymous();
        // The map's points, for the map's script: the user's own session and token, the portal's own origin.
        app.MapGet("/network/map-data", MapDataAsync).RequireAuthorization(PortalPolicies.NetworkReaders);
        // The duty desk's live feed, for the header's script (EventSource): anyone may ask, and a user without a desk — or
        // nobody signed in — is answered 204, which stops EventSource where a redirect to sign in would only fail.
        app.MapGet("/desk/stream", DeskStreamProxy.StreamAsync).AllowAnonymous();
        // "全部已读": a form post from the header or /notifications, with its antiforgery token.
        app.MapPost("/desk/read", MarkDeskReadAsync).RequireAuthorization(PortalPolicies.DeskUsers);
        // The month's report, written by Reporting in the user's scope and passed through as it comes.
        app.MapGet("/statistics/monthly.xlsx", (string? month, string? county, HttpContext http, ReportingClient reporting) =>
            MonthlyFileAsync("xlsx", month, county, http, reporting)).RequireAuthorization(PortalPolicies.StatisticsReaders);
        app.MapGet("/statistics/monthly.csv", (string? month, string? county, HttpContext http, ReportingClient reporting) =>
            MonthlyFileAsync("csv", month, county, http, reporting)).RequireAuthorization(PortalPolicies.StatisticsReaders);
        // 寻亲: a case's photo, fetched from FamilySearch with the user's token (it serves only staff in scope of the case),
        // and a published notice's photo for anyone — the public pages have no sign-in, and the service serves it only
        // while the notice is published.
        app.MapGet("/family-search/photos/{id:guid}", (Guid id, HttpContext http, FamilySearchClient familySearch) =>
            PassImageAsync(() => familySearch.PhotoAsync(id, http.RequestAborted), http)).RequireAuthorization(PortalPolicies.MissingPersonReaders);
        app.MapGet("/xunqin/{id:guid}/photo", (Guid id, HttpContext http, PublicNoticesClient notices) =>
            PassImageAsync(() => notices.PhotoAsync(id, http.RequestAborted), http)).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Passes an image through as it comes, never holding it whole; anything but an image (a refusal, a service that does
    /// not answer) is only its status — a photo's absence says nothing more.
    /// </summary>
    private static async Task PassImageAsync(Func<Task<HttpResponseMessage>> fetch, HttpContext http)
    {
        HttpResponseMessage answer;
        try
        {
            answer = await fetch();
        }
        catch (Exception e) when (e is HttpRequestException or Polly.ExecutionRejectedException
                                   || (e is TaskCanceledException && !http.RequestAborted.IsCancellationRequested))
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using (answer)
        {
            var type = answer.Content.Headers.ContentType?.MediaType;
            if (!answer.IsSuccessStatusCode || type is null || !type.StartsWith("image/", StringComparison.Ordinal))
            {
                http.Response.StatusCode = answer.IsSuccessStatusCode ? StatusCodes.Status502BadGateway : (int)answer.StatusCode;
                return;
            }

            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = type;
            // Only ever shown as an image: a browser must not take it for anything else.
            http.Response.Headers.XContentTypeOptions = "nosniff";
            if (answer.Content.Headers.ContentLength is { } length)
            {
                http.Response.ContentLength = length;
            }

            await using var body = await answer.Content.ReadAsStreamAsync(http.RequestAborted);
            await body.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    /// <summary>
    /// Revokes the session's refresh token, ends the portal session (its row is deleted) and sends the browser to the
    /// authority's end-session endpoint, which ends the authority's own session and sends it back to "/signed-out".
    /// </summary>
    private static async Task<IResult> SignOutAsync(
        HttpContext http, IAntiforgery antiforgery, IOptionsMonitor<OpenIdConnectOptions> oidc, IHttpClientFactory httpClients,
        ILoggerFactory loggers)
    {
        // Checked here, not by the middleware alone: it only checks requests that carry a form, and this one need not.
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form's antiforgery token is missing or invalid.");
        }

        var options = oidc.Get(PortalServices.OidcScheme);
        if (await http.GetTokenAsync("refresh_token") is { } refreshToken)
        {
            try
            {
                var configuration = await options.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
                if (configuration.AdditionalData.TryGetValue("revocation_endpoint", out var endpoint) && endpoint?.ToString() is { } revocation)
                {
                    using var client = httpClients.CreateClient(nameof(SignOutAsync));
                    await IdentityAdminClient.RevokeAsync(client, new Uri(revocation), refreshToken, options.ClientId!, options.ClientSecret!, http.RequestAborted);
                }
            }
            catch (HttpRequestException e)
            {
                // The session still ends here; the refresh token expires on its own.
                loggers.CreateLogger("Relief.Portal.SignOut").LogWarning("Revoking the refresh token failed: {Error}", e.Message);
            }
        }

        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/signed-out" },
            [PortalServices.CookieScheme, PortalServices.OidcScheme]);
    }

    /// <summary>Marks the desk read up to the newest item the user was shown, and goes back to the page.</summary>
    private static async Task<IResult> MarkDeskReadAsync(HttpContext http, IAntiforgery antiforgery, NotificationClient notification)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form's antiforgery token is missing or invalid.");
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var returnUrl = form["returnUrl"].ToString();
        if (long.TryParse(form["upTo"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var upTo) && upTo > 0)
        {
            var marked = await notification.MarkReadAsync(upTo, http.RequestAborted);
            if (!marked.Succeeded)
            {
                return Results.LocalRedirect(WithQuery(IsLocal(returnUrl) ? returnUrl : "/notifications", "deskRead", "failed"));
            }
        }

        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl : "/notifications");
    }

    /// <summary>
    /// Streams Reporting's file to the browser with its type and file name, never holding it whole; a refusal (a month
    /// not well formed, a county out of scope) comes back as Reporting's status with its reason.
    /// </summary>
    private static async Task MonthlyFileAsync(string format, string? month, string? county, HttpContext http, ReportingClient reporting)
    {
        HttpResponseMessage answer;
        try
        {
            answer = await reporting.MonthlyFileAsync(format, month, county, http.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.ExecutionRejectedException
                                   || (e is TaskCanceledException && !http.RequestAborted.IsCancellationRequested))
        {
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Reporting did not answer.").ExecuteAsync(http);
            return;
        }

        using (answer)
        {
            if (!answer.IsSuccessStatusCode)
            {
                var refusal = await ApiResult.FromAsync<NoValue>(answer, http.RequestAborted);
                await Results.Problem(statusCode: (int)refusal.Status, title: refusal.Title).ExecuteAsync(http);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = answer.Content.Headers.ContentType?.ToString()
                ?? (format == "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8");
            http.Response.Headers.ContentDisposition = answer.Content.Headers.ContentDisposition?.ToString()
                ?? $"attachment; filename=\"relief-{month ?? "month"}.{format}\"";
            if (answer.Content.Headers.ContentLength is { } length)
            {
                http.Response.ContentLength = length;
            }

            await using var body = await answer.Content.ReadAsStreamAsync(http.RequestAborted);
            await body.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    private static string WithQuery(string url, string name, string value) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(url, name, value);

    private static async Task<IResult> MapDataAsync(RegistryClient registry, IStringLocalizer<Texts> localizer, CancellationToken cancellationToken)
    {
        var points = await registry.ListAsync(null, null, null, cancellationToken);
        return points.Succeeded
            ? Results.Ok(points.Value!.Where(p => p.Status != "closed").Select(p => new
            {
                p.Code, p.Name, p.Kind, p.CountyCode, p.Longitude, p.Latitude, p.Status,
                StatusName = localizer[Texts.PointStatuses.GetValueOrDefault(p.Status, p.Status)].Value,
            }))
            : Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Registry did not answer.");
    }

    /// <summary>A path on this site: not "//host" or "/\\host", which browsers take for another site.</summary>
    private static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    /// <summary>Remembers the language (zh-CN or en) for a year and goes back to the page.</summary>
    private static IResult ChooseLanguage(string culture, string? returnUrl, HttpContext http)
    {
        if (Texts.Cultures.Contains(culture))
        {
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        }

        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }
}
