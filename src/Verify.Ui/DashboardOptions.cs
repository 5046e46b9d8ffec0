using System.Globalization;
using Digitise.Hosting;

namespace Digitise.Verify.Ui;

/// <summary>
/// The manager dashboard's settings (configuration section <c>Dashboard</c>, e.g. <c>DIGITISE_Dashboard__TurnaroundTargetHours=48</c>),
/// validated at start-up with the name of the setting that is wrong.
/// </summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>The promise: a page is filed within this many hours of its arrival (a day-forward service's 24).</summary>
    public double TurnaroundTargetHours { get; set; } = 24;

    /// <summary>A page not filed yet is at risk once its age passes this share of the target (0.75: after 18 of 24 hours).</summary>
    public double TurnaroundAtRiskShare { get; set; } = 0.75;

    /// <summary>Arrival days shown in the turnaround table (today and the days before it).</summary>
    public int TurnaroundDays { get; set; } = 14;

    public void Validate()
    {
        if (TurnaroundTargetHours is <= 0 or > 24 * 366 || double.IsNaN(TurnaroundTargetHours))
        {
            throw new ConfigurationException("Dashboard:TurnaroundTargetHours", TurnaroundTargetHours.ToString(CultureInfo.InvariantCulture), "must be above 0 and at most 8784 (a year)");
        }

        if (TurnaroundAtRiskShare is <= 0 or > 1 || double.IsNaN(TurnaroundAtRiskShare))
        {
            throw new ConfigurationException("Dashboard:TurnaroundAtRiskShare", TurnaroundAtRiskShare.ToString(CultureInfo.InvariantCulture), "must be above 0 and at most 1");
        }

        if (TurnaroundDays is < 1 or > 92)
        {
            throw new ConfigurationException("Dashboard:TurnaroundDays", TurnaroundDays.ToString(CultureInfo.InvariantCulture), "must be between 1 and 92");
        }
    }
}
