-- Current year 3: Backtest of the nowcast: 95 % interval coverage and error by horizon
-- Lopend jaar 3: Backtest van de nowcast: dekking van het 95 %-interval en fout per horizon
-- Reads: marts.mart_elp_nowcast_backtest in the published snapshot.
-- Rows: one per period (month, year_to_date, year_end) x measure (users, services,
--   spending_eur) x horizon, over every as-of month end of the backtest and every area of the
--   area type in `params`. horizon_months: for a month, the months between it and the as-of
--   month (0 = the as-of month itself); for the year end, the months still to come after the
--   as-of month (6 = projected at the end of June). cases = estimates compared with their
--   final value (suppressed rows left out, counted in suppressed_cases); covered_share = the
--   share whose 95 % prediction interval held the final value; median_abs_relative_error and
--   max_abs_relative_error = |estimate - final| / final; median_abs_booked_relative_error =
--   the same for the booked figures read as they are (what the marts without nowcast show).
-- Filter: the area type in `params`: total (Belgium), province or network_type.
with

params as (
    select 'total' as area_type  -- areas pooled
)

select
    backtest.period,
    backtest.measure,
    backtest.horizon_months,
    count(backtest.covered) as cases,
    count(case when backtest.is_suppressed then 1 end) as suppressed_cases,
    avg(case when backtest.covered then 1.0 when not backtest.covered then 0.0 end)
        as covered_share,
    percentile_cont(0.5) within group (order by abs(backtest.relative_error))
        as median_abs_relative_error,
    max(abs(backtest.relative_error)) as max_abs_relative_error,
    percentile_cont(0.5) within group (order by abs(backtest.booked_relative_error))
        as median_abs_booked_relative_error,
    min(backtest.as_of_date) as first_as_of_date,
    max(backtest.as_of_date) as last_as_of_date
from marts.mart_elp_nowcast_backtest as backtest
inner join params on backtest.area_type = params.area_type
group by backtest.period, backtest.measure, backtest.horizon_months
order by
    case backtest.period when 'month' then 1 when 'year_to_date' then 2 else 3 end,
    case backtest.measure when 'users' then 1 when 'services' then 2 else 3 end,
    backtest.horizon_months
