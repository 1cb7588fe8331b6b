namespace GovPublics.UnitTests.Routing;

public sealed class TopicClassificationTests
{
    [Theory]
    [InlineData("Третий день нет холодной воды в доме на Победы", "housing_utilities", "water_supply")]
    [InlineData("Отключили свет во всем доме, холодильник разморозился", "housing_utilities", "power_supply")]
    [InlineData("Батареи холодные, в квартире +15", "housing_utilities", "heating")]
    [InlineData("Газовая колонка не работает, газовики не приходят", "housing_utilities", "gas_supply")]
    [InlineData("Засор канализации в подвале, фекалии текут во двор", "housing_utilities", "sewage")]
    [InlineData("Управляющая компания не убирает подъезд, лифт не работает", "housing_utilities", "building_management")]
    [InlineData("Когда будет капремонт крыши? Взносы платим десять лет", "housing_utilities", "capital_repair")]
    [InlineData("Во дворе огромные лужи, нет тротуара, не пройти", "improvement", "yards")]
    [InlineData("На детской площадке сломанные качели", "improvement", "playgrounds")]
    [InlineData("Сухое дерево во дворе нужно спилить, пока не упало", "improvement", "greenery")]
    [InlineData("На улицах грязь, дворники не подметают уже месяц", "improvement", "cleaning")]
    [InlineData("На улице Мира огромная яма, пробил колесо", "roads", "potholes")]
    [InlineData("Когда отремонтируют дорогу? Её перекопали и не восстановили асфальт", "roads", "road_repair")]
    [InlineData("Гололед на тротуарах, ничем не посыпают", "roads", "snow_ice")]
    [InlineData("Не горят фонари на нашей улице, вечером темно", "roads", "street_lighting")]
    [InlineData("Светофор на перекрестке не работает второй день", "roads", "traffic_lights")]
    [InlineData("Дорога между селами Ягодное и Тимофеевка разбита", "roads", "regional_road")]
    [InlineData("Мусор не вывозят неделю, контейнеры переполнены", "waste", "tko_operator")]
    [InlineData("Контейнерная площадка разломана, баки без крышек, поставьте ограждение", "waste", "container_sites")]
    [InlineData("За гаражами стихийная свалка строительного мусора", "waste", "illegal_dumps")]
    [InlineData("Региональный оператор выставляет плату за мусор за пустую квартиру", "waste", "tko_operator")]
    [InlineData("Невозможно записаться к терапевту, талонов нет", "healthcare", "clinic_access")]
    [InlineData("В аптеке нет льготных лекарств, инсулин не выдают", "healthcare", "medicines")]
    [InlineData("Скорая не приехала, ждали три часа", "healthcare", "ambulance")]
    [InlineData("В больнице лежат в коридоре, мест нет", "healthcare", "hospital_conditions")]
    [InlineData("Не пришла выплата на ребенка, единое пособие задерживают", "social_protection", "payments")]
    [InlineData("Многодетной семье отказали в льготе", "social_protection", "benefits")]
    [InlineData("Ребенку-инвалиду не выдают коляску и подгузники", "social_protection", "disability")]
    [InlineData("Автобус 45 не ходит по выходным, ждем по часу на остановке", "public_transport", "routes_schedule")]
    [InlineData("Автобус 47 по утрам ходит раз в 40 минут, люди не влезают, опаздываем на работу", "public_transport", "routes_schedule")]
    [InlineData("Водитель маршрутки хамит и курит в салоне", "public_transport", "transport_condition")]
    [InlineData("В трамвае не работает терминал, не принимают карту", "public_transport", "fares")]
    [InlineData("В школе нет учителя математики с сентября", "education", "schools")]
    [InlineData("Нет мест в детском саду, очередь третий год", "education", "kindergartens")]
    [InlineData("Стая бродячих собак бегает у школы, страшно выходить", "stray_animals", "stray_dogs")]
    [InlineData("Ночью опять выбросы с завода, воняет химией, дышать нечем", "ecology", "air_pollution")]
    [InlineData("В реку сбрасывают отходы, на берегу мертвая рыба", "ecology", "water_pollution")]
    [InlineData("В роще вырубают деревья под застройку", "ecology", "tree_felling")]
    [InlineData("Во дворе каждую ночь пьяные компании, громкая музыка, драки", "safety", "public_order")]
    [InlineData("Заброшенное здание без ограждения, туда лазят подростки", "safety", "hazards")]
    [InlineData("Прошу помочь разобраться с моей ситуацией", "other", "other")]
    public void Every_topic_and_subtopic_is_recognised(string text, string category, string subcategory)
    {
        var decision = RoutingTestData.Classify(text, "adm-tolyatti");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal(category, decision.Category);
        Assert.Equal(subcategory, decision.Subcategory);
        Assert.Contains(decision.Evidence, e => e.Kind == "topic");
        Assert.Contains(decision.Evidence, e => e.Kind == "subtopic");
    }

    [Fact]
    public void Of_two_problems_the_weightier_one_is_the_main_one_and_the_other_stays_visible()
    {
        const string text = "Здравствуйте! Пишу уже не первый раз. У нас во дворе на Ново-Вокзальной третий день нет горячей "
            + "воды, но это полбеды. Главное — дорога: ямы глубокие, выбоины по всему проезду, асфальт разбит, машины "
            + "пробивают колеса, люди падают. Примите меры!";

        var decision = RoutingTestData.Classify(text, "adm-samara-promyshlenny");

        Assert.Equal("roads", decision.Category);
        Assert.Equal("potholes", decision.Subcategory);
        Assert.Contains(decision.Evidence, e => e.Kind == "topic" && e.Detail.StartsWith("also housing_utilities", StringComparison.Ordinal));
        Assert.Contains("also mentioned housing_utilities", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_weight_problems_go_to_the_first_mentioned()
    {
        var lightsFirst = RoutingTestData.Classify("Не горят фонари. Не работает светофор.", "adm-tolyatti");
        var trafficFirst = RoutingTestData.Classify("Не работает светофор. Не горят фонари.", "adm-tolyatti");

        Assert.Equal("street_lighting", lightsFirst.Subcategory);
        Assert.Equal("traffic_lights", trafficFirst.Subcategory);
    }

    [Theory]
    [InlineData("Во дворе дома на Мира нет ни одного фонаря, вечером темно", "improvement", "yards")]
    [InlineData("Во дворе асфальт весь в ямах, в дождь не выйти", "improvement", "yards")]
    [InlineData("В больнице в хирургическом корпусе лифт не работает, больных носят на руках", "healthcare", "hospital_conditions")]
    [InlineData("В детском саду течёт крыша в группе, ставят тазики", "education", "kindergartens")]
    [InlineData("Подъезд не моют месяцами, на лестнице окурки и грязь", "housing_utilities", "building_management")]
    public void A_problem_inside_a_facility_belongs_to_the_facility(string text, string category, string subcategory)
    {
        var decision = RoutingTestData.Classify(text, "adm-tolyatti");

        Assert.Equal((category, subcategory), (decision.Category, decision.Subcategory));
    }

    [Fact]
    public void A_facility_named_in_another_sentence_does_not_take_the_problem()
    {
        var decision = RoutingTestData.Classify("Ребёнок ходит в школу мимо этого. На Первомайской канализация течёт по улице", "adm-volzhsky");

        Assert.Equal(("housing_utilities", "sewage"), (decision.Category, decision.Subcategory));
    }

    [Theory]
    [InlineData("Дорога Кинель — Богатое вся в ямах, фуры разбили", "regional_road")]
    [InlineData("Дорога из Варламово в Сызрань разбита, автобус еле ползёт", "regional_road")]
    [InlineData("Красноглинский район, Мехзавод: дорога вдоль 1 квартала не ремонтировалась никогда", "road_repair")]
    public void A_road_named_by_two_settlements_is_a_regional_road(string text, string subcategory)
    {
        var decision = RoutingTestData.Classify(text, "gov");

        Assert.Equal(("roads", subcategory), (decision.Category, decision.Subcategory));
    }

    [Theory]
    [InlineData("Дом убрали из программы капремонта, хотя крыша течёт", "capital_repair")]
    [InlineData("Садика в нашем посёлке нет, очередь на три года", "kindergartens")]
    [InlineData("Пазика до города нет с утра, ходит раз в два часа", "routes_schedule")]
    public void Slang_is_read_in_any_case_form(string text, string subcategory)
    {
        var decision = RoutingTestData.Classify(text, "adm-tolyatti");

        Assert.Equal(subcategory, decision.Subcategory);
    }

    [Fact]
    public void A_topic_named_without_a_subtopic_takes_the_topic_default()
    {
        var decision = RoutingTestData.Classify("ЖКХ опять подвело, сколько можно!", "adm-syzran");

        Assert.Equal("housing_utilities", decision.Category);
        Assert.Equal("building_management", decision.Subcategory);
        Assert.Contains(decision.Evidence, e => e.Kind == "subtopic" && e.Detail.Contains("default", StringComparison.Ordinal));
    }
}
