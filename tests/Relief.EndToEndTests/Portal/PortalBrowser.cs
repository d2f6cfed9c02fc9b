using Microsoft.Playwright;

namespace Relief.EndToEndTests.Portal;

/// <summary>
/// Debian's Chromium driven by Playwright (never a downloaded browser: this machine has none to download), shared by a
/// test class. Each test opens its own context — its own cookies — as a member of staff at their own PC would.
/// </summary>
public sealed class PortalBrowser : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: artifacts/screenshots at the repository's root (tests/run.sh prints it).</summary>
    public static string ScreenshotFolder { get; } = FindScreenshotFolder();

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("RELIEF_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // The closed network refuses Chromium's calls home; without these it retries them during every test.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        playwright?.Dispose();
    }

    /// <summary>A fresh browser profile at an office PC's screen size (or a tablet's), collecting console errors.</summary>
    public async Task<PortalSession> OpenAsync(Uri portal, int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = portal.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "zh-CN",
        });
        var page = await context.NewPageAsync();
        var session = new PortalSession(context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session.ConsoleErrors.Add($"{page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => session.ConsoleErrors.Add($"{page.Url}: {error}");
        return session;
    }

    private static string FindScreenshotFolder()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Relief.sln")))
        {
            folder = folder.Parent;
        }

        var path = Path.Combine(folder?.FullName ?? Path.GetTempPath(), "artifacts", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}

/// <summary>One member of staff's browser: its context (cookies), its page and the console errors seen so far.</summary>
public sealed class PortalSession(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;
    public IPage Page { get; } = page;
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Opens the portal and signs in on the authority's page; returns once back in the portal.</summary>
    public async Task SignInAsync(string userName, string password, string path = "/")
    {
        await Page.GotoAsync(path);
        await Page.Locator("#username").FillAsync(userName);
        await Page.Locator("#password").FillAsync(password);
        await Page.Locator("button[type=submit]").ClickAsync();
        await Page.Locator("[data-testid=who]").WaitForAsync();
    }

    /// <summary>Tries a password on the sign-in page and returns the page's message.</summary>
    public async Task<string> TrySignInAsync(string userName, string password)
    {
        if (!Page.Url.Contains("/account/login", StringComparison.Ordinal))
        {
            await Page.GotoAsync("/");
        }

        await Page.Locator("#username").FillAsync(userName);
        await Page.Locator("#password").FillAsync(password);
        await Page.Locator("button[type=submit]").ClickAsync();
        return await Page.Locator("[data-testid=signin-message]").InnerTextAsync();
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PortalBrowser.ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
