-- Members per analysis year and weighting cell (a member counts in every year with at least
-- one affiliated day, with the attributes of that year's reference date).
select
    year,
    {{ age_band('age') }} as age_band,
    sex,
    province_code,
    vt,
    count(*) as members
from {{ ref('stg_members_yearly') }}
where year between {{ var('first_year') }} and {{ var('last_year') }}
group by 1, 2, 3, 4, 5
