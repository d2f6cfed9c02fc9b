using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Relief.Identity.SignIn;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Relief.Identity.Pages.Account;

/// <summary>
/// The authority's sign-in page, in Chinese: the portal sends the browser here (authorization code flow) and gets it
/// back signed in. The messages say what the user can do about it, never whether a user name exists.
/// </summary>
[AllowAnonymous]
public sealed class LoginModel(PasswordCheck passwords, IOptions<IdentitySettings> settings) : PageModel
{
    public const string WrongCredentials = "用户名或密码错误。";
    public const string Disabled = "该账户已停用，请联系系统管理员。";
    public const string OfficeClosed = "您所在的机构已停用，请联系系统管理员。";
    public const string NoRole = "该账户尚未分配角色或机构，请联系系统管理员。";

    [BindProperty(Name = "username")]
    public string? UserName { get; set; }

    [BindProperty(Name = "password")]
    public string? Password { get; set; }

    [BindProperty(Name = "returnUrl", SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Message { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (verdict, user) = await passwords.CheckAsync(HttpContext, UserName, Password, "sign-in page", cancellationToken);
        switch (verdict)
        {
            case PasswordVerdict.WrongCredentials:
                return Refuse(WrongCredentials);
            case PasswordVerdict.Disabled:
                return Refuse(Disabled);
            case PasswordVerdict.LockedOut:
                var minutes = (int)Math.Ceiling(settings.Value.Lockout.Duration.TotalMinutes);
                return Refuse($"密码错误次数过多，账户已被锁定，请 {minutes} 分钟后再试，或联系系统管理员解锁。");
            case PasswordVerdict.NoRoleOrOpenOffice:
                return Refuse(await passwords.OfficeClosedAsync(user!, cancellationToken) ? OfficeClosed : NoRole);
        }

        var identity = new ClaimsIdentity(SignInCookie.Scheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user!.Id));
        identity.AddClaim(new Claim(Claims.Name, user.UserName!));
        await HttpContext.SignInAsync(SignInCookie.Scheme, new ClaimsPrincipal(identity));

        // Only back into the authority itself (the authorization endpoint): never an address someone slipped in.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/account/login?signedIn=1");
    }

    private PageResult Refuse(string message)
    {
        Message = message;
        Password = null;
        Response.StatusCode = StatusCodes.Status200OK;
        return Page();
    }
}
