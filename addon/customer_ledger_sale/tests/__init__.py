from . import test_sale_exposure
from . import test_sale_credit
